import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { ROLE_SCOPES } from '../../lib/auth/principal.js';
import { badInputCases, type BadInputCase } from '../support/bad-input/cases.js';
import { inPool, judge, type Verdict } from '../support/bad-input/judge.js';
import { expectNoErrors, gql } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

/** Few at a time: the machine is small, and the point is every answer, not throughput. */
const CONCURRENCY = 4;
const MATRIX_TIMEOUT_MS = 240_000;
/** A case with no answer by then is an offence of its own (the matrix must end). */
const ANSWER_TIMEOUT_MS = 20_000;

// A NUL byte is a real PostgreSQL refusal (the embedded store may differ): real stores when the
// run has them.
const mode = STORE_MODES.includes('real') ? 'real' : 'embedded';

/**
 * Generated from the supergraph: every argument of every Query and Mutation field (input object
 * fields too, recursively) gets wrong values, as literals and as variables, through the gateway in
 * production mode, as an organization admin and as a plain team member. Every answer must be a
 * coded client error: never a 5xx, never INTERNAL_SERVER_ERROR, never a stack trace, and no
 * mutation may go through.
 */
describe(`every bad argument gets a coded client error (production, ${mode} stores)`, () => {
  let stack: Stack;
  let cases: BadInputCase[];
  let principals: Array<[name: string, token: string]>;
  beforeAll(async () => {
    stack = await startStack({ mode, production: true });
    const { key } = await stack.createTeamWithKey('Bad input member', [...ROLE_SCOPES.MEMBER]);
    principals = [
      ['org admin', TEST_ADMIN_KEY],
      ['member', key],
    ];
    const introspection = expectNoErrors(
      await gql<IntrospectionQuery>(stack.url, getIntrospectionQuery(), { token: TEST_ADMIN_KEY }),
    );
    cases = badInputCases(buildClientSchema(introspection));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  const send = async (token: string, body: string) => {
    try {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { status: 0, text: `no answer: ${(error as Error).message}` };
    }
  };

  it('answers valid controls of each kind (so a refusal below means something)', async () => {
    const [, memberKey] = principals[1];
    for (const token of [TEST_ADMIN_KEY, memberKey]) {
      const data = expectNoErrors(
        await gql<{ models: { totalCount: number } }>(stack.url, '{ models { totalCount } }', {
          token,
        }),
      );
      expect(data.models.totalCount).toBeGreaterThan(0);
    }
    const created = expectNoErrors(
      await gql<{ createTeam: { name: string } }>(
        stack.url,
        'mutation($name: String!) { createTeam(input: { name: $name }) { name } }',
        { token: TEST_ADMIN_KEY, variables: { name: 'Bad input control' } },
      ),
    );
    expect(created.createTeam.name).toBe('Bad input control');
  });

  it(
    'refuses every wrong value with a coded client error',
    async () => {
      expect(cases.length).toBeGreaterThan(500);
      // A mutation's wrong value is refused before any resolver sees who asks: the member tries
      // the queries, whose answers may depend on what the caller may read.
      const runs = principals.flatMap(([name, token]) =>
        cases
          .filter((c) => name === 'org admin' || c.kind === 'query')
          .map((c) => ({ name, token, c })),
      );
      const verdicts: Verdict[] = await inPool(runs, CONCURRENCY, async ({ name, token, c }) =>
        judge(name, c, await send(token, c.body)),
      );

      const offenders = verdicts.filter((v) => v.offence);
      if (offenders.length) console.table(offenders.slice(0, 200));
      expect(offenders.map((v) => `${v.principal} ${v.field}(${v.label}) ${v.form}`)).toEqual([]);

      // The bugs this suite was written for, so the matrix demonstrably covers them.
      const codesOf = (field: string, label: string, form: string) =>
        verdicts.find(
          (v) =>
            v.principal === 'org admin' &&
            v.field === field &&
            v.label === label &&
            v.form === form,
        )?.codes;
      expect(codesOf('createTeam', 'input: name: string with a NUL byte', 'variable')).toBe(
        'BAD_USER_INPUT',
      );
      expect(codesOf('createTeam', 'input: name: string with a NUL byte', 'literal')).toBe(
        'BAD_USER_INPUT',
      );
    },
    MATRIX_TIMEOUT_MS,
  );
});
