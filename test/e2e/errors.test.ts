import { expectErrorCode, gql } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

/** Every kind of bad input gets a coded GraphQL error, never a 500 or a stack trace. */
describe.each(STORE_MODES)('bad input through the gateway (%s stores)', (mode) => {
  let stack: Stack;
  let key: string;
  beforeAll(async () => {
    stack = await startStack({ mode, production: true });
    ({ key } = await stack.createTeamWithKey('Errors', ['models:read']));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body,
    });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const response = await post('{"query": "{ models { totalCount } }"');
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers an oversized body with 413 BAD_REQUEST', async () => {
    const response = await post(
      JSON.stringify({ query: `{ models { totalCount } } # ${'x'.repeat(1_100_000)}` }),
    );
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers a body without a query with BAD_REQUEST', async () => {
    const response = await post('{}');
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  const cases: Array<[string, string, Record<string, unknown> | undefined, string]> = [
    ['invalid GraphQL', '{ models { totalCount }', undefined, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', '{ models { nope } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'a wrong variable type',
      'query($n: Int) { models(first: $n) { totalCount } }',
      { n: 'ten' },
      'BAD_USER_INPUT',
    ],
    [
      'a missing required variable',
      'query($id: ID!) { model(id: $id) { id } }',
      {},
      'BAD_USER_INPUT',
    ],
    ['an unknown model id', '{ model(id: "local/no-such-model") { id } }', undefined, 'NOT_FOUND'],
    ['a malformed model id', '{ model(id: "Not An Id") { id } }', undefined, 'BAD_USER_INPUT'],
    [
      'a bad pagination cursor',
      '{ models(after: "bm90LWEtY3Vyc29y") { totalCount } }',
      undefined,
      'BAD_USER_INPUT',
    ],
    [
      'a page size over the limit',
      '{ models(first: 1000) { totalCount } }',
      undefined,
      'BAD_USER_INPUT',
    ],
    ['a malformed team id', '{ team(id: "nope") { id } }', undefined, 'FORBIDDEN'],
  ];
  it.each(cases)(
    'answers %s with its code and no stack trace',
    async (_name, query, variables, code) => {
      const response = await gql(stack.url, query, { token: key, variables });
      expectErrorCode(response, code);
      expect(response.status).toBeLessThan(500);
      for (const error of response.body.errors ?? [])
        expect(error.extensions?.stacktrace).toBeUndefined();
    },
  );

  it('answers an admin mutation with invalid input with BAD_USER_INPUT and changes nothing', async () => {
    const response = await gql(
      stack.url,
      `mutation { registerModel(input: { id: "local/neg", providerId: "local", displayName: "Neg",
         capabilities: [CHAT], contextWindow: 10, maxOutputTokens: 5,
         price: { inputPerMillion: "-1", outputPerMillion: "0" } }) { id } }`,
      { token: TEST_ADMIN_KEY },
    );
    expectErrorCode(response, 'BAD_USER_INPUT');
    const { rows } = await stack.dbs.catalog.query("SELECT id FROM models WHERE id = 'local/neg'");
    expect(rows).toEqual([]);
  });

  it('masks an unexpected failure in production: no message, no stack, coded', async () => {
    // Last test: closing the catalog's database makes its next query fail unexpectedly.
    await stack.dbs.catalog.close();
    const response = await gql(stack.url, '{ models { totalCount } }', { token: key });
    expectErrorCode(response, 'INTERNAL_SERVER_ERROR');
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+|Pool|PGlite|closed/i);
  });
});
