import { expectErrorCode, expectNoErrors, gql } from '../support/graphql-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

// Limits are enforced by the gateway before planning; the stores play no part, so embedded only.
describe('operation limits at the gateway', () => {
  let stack: Stack;
  let key: string;
  beforeAll(async () => {
    stack = await startStack({
      mode: 'embedded',
      production: true,
      gateway: { limits: { maxDepth: 6, maxAliases: 5, maxTokens: 400, maxCost: 10_000 } },
    });
    ({ key } = await stack.createTeamWithKey('Limits', ['models:read']));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves an operation within every limit', async () => {
    expectNoErrors(
      await gql(stack.url, '{ models(first: 2) { edges { node { id provider { id } } } } }', {
        token: key,
      }),
    );
  });

  it('refuses an operation nested deeper than the limit', async () => {
    const deep = '{ models { edges { node { provider { models { edges { node { id } } } } } } } }';
    const response = await gql(stack.url, deep, { token: key });
    expectErrorCode(response, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.body.data ?? null).toBeNull();
  });

  it('refuses more aliases than the limit', async () => {
    const aliases = Array.from({ length: 6 }, (_, i) => `a${i}: models { totalCount }`).join(' ');
    expectErrorCode(
      await gql(stack.url, `{ ${aliases} }`, { token: key }),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('refuses an operation with more tokens than the limit', async () => {
    const fields = Array.from({ length: 500 }, () => '__typename').join(' ');
    const response = await gql(stack.url, `{ ${fields} }`, { token: key });
    expectErrorCode(response, 'GRAPHQL_PARSE_FAILED');
    expect(response.body.errors?.[0]?.message).toMatch(/tokens/);
  });

  it('does not suggest field names in production', async () => {
    const response = await gql(stack.url, '{ modle(id: "local/echo-chat") { id } }', {
      token: key,
    });
    expectErrorCode(response, 'GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(response.body)).not.toMatch(/Did you mean/i);
  });
});
