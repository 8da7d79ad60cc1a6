import { GraphQLError } from 'graphql';
import type { AccessCheck } from '../../../lib/policy/access-decision-loader.js';
import { ServiceUnavailableError, type ServiceClient } from '../../../lib/service-client.js';
import { createRecordingLogger } from '../../../test/support/recording-logger.js';
import { READ_RETRY_DELAYS_MS } from '../service/timing.js';
import { createPolicyClient } from './policy-client.js';

const quota = {
  requestsPerMinute: 10,
  tokensPerMinute: null,
  tokensPerDay: null,
  keyRequestsPerMinute: null,
  keyTokensPerMinute: null,
};
const check = (modelId: string): AccessCheck => ({
  teamId: 't',
  modelId,
  providerId: 'p',
  capabilities: ['CHAT'],
  tags: [],
  modelClassification: 'INTERNAL',
  dataClass: 'INTERNAL',
});

/** A policy subgraph stand-in that records what it was asked and allows all but `deny/*`. */
function fakePolicy() {
  const asked: string[][] = [];
  const client = {
    graphql: async (_url: string, _query: string, variables: { checks: AccessCheck[] }) => {
      asked.push(variables.checks.map((c) => c.modelId));
      return {
        accessDecisions: variables.checks.map((c) => ({
          allowed: !c.modelId.startsWith('deny/'),
          reason: null,
          quota,
        })),
      };
    },
  } as unknown as ServiceClient;
  return { client, asked };
}

describe('the policy client', () => {
  const { logger } = createRecordingLogger();

  it('asks once per operation, and reuses answers for cacheMs', async () => {
    let clock = 1_000;
    const { client, asked } = fakePolicy();
    const policy = createPolicyClient({
      client,
      policyUrl: 'x',
      cacheMs: 500,
      now: () => clock,
      logger,
    });
    const first = policy.loaderFor('r1');
    const answers = await Promise.all([first.load(check('a/1')), first.load(check('deny/2'))]);
    expect(answers.map((a) => a.allowed)).toEqual([true, false]);
    expect(asked).toEqual([['a/1', 'deny/2']]);

    // A later operation: a/1 is still fresh, only the new check is asked.
    clock += 499;
    await Promise.all([
      policy.loaderFor('r2').load(check('a/1')),
      policy.loaderFor('r2').load(check('b/3')),
    ]);
    expect(asked).toEqual([['a/1', 'deny/2'], ['b/3']]);

    // Once stale, asked again.
    clock += 2;
    await policy.loaderFor('r3').load(check('a/1'));
    expect(asked.at(-1)).toEqual(['a/1']);
  });

  it('with cacheMs 0, asks on every operation', async () => {
    const { client, asked } = fakePolicy();
    const policy = createPolicyClient({ client, policyUrl: 'x', cacheMs: 0, logger });
    await policy.loaderFor('r1').load(check('a/1'));
    await policy.loaderFor('r2').load(check('a/1'));
    expect(asked).toEqual([['a/1'], ['a/1']]);
  });
});

/** A policy stand-in that answers from `answers` in turn (a value, or an error to throw). */
function scriptedPolicy(answers: unknown[]) {
  let asked = 0;
  const client = {
    graphql: async (_url: string, _query: string, variables: { checks: AccessCheck[] }) => {
      asked += 1;
      const next = answers.shift();
      if (next instanceof Error) throw next;
      if (next !== undefined) return next;
      return {
        accessDecisions: variables.checks.map(() => ({ allowed: true, reason: null, quota })),
      };
    },
  } as unknown as ServiceClient;
  return { client, asked: () => asked };
}

describe('the policy client when policy cannot answer', () => {
  const down = new ServiceUnavailableError(
    'http://127.0.0.1:4904/graphql: the database system is shutting down',
  );
  const everyTry = (answer: unknown) => READ_RETRY_DELAYS_MS.map(() => answer).concat([answer]);

  it.each([
    ['is unreachable on every try', everyTry(down)],
    ['answers without accessDecisions', [{ something: 'else' }]],
    ['answers fewer decisions than checks', [{ accessDecisions: [] }]],
  ])(
    'refuses with SERVICE_UNAVAILABLE when policy %s, logs why and caches nothing',
    async (_, answers) => {
      const log = createRecordingLogger();
      const { client, asked } = scriptedPolicy([...answers]);
      const policy = createPolicyClient({
        client,
        policyUrl: 'x',
        cacheMs: 1_000,
        logger: log.logger,
      });
      const error = (await policy
        .loaderFor('r1')
        .load(check('a/1'))
        .catch((e: unknown) => e)) as GraphQLError;
      expect(error).toBeInstanceOf(GraphQLError);
      expect(error.message).toBe('Policy is unavailable right now; try again.');
      expect(error.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
      expect(log.errors()).toEqual([
        expect.objectContaining({ requestId: 'r1', err: expect.anything() }),
      ]);

      await expect(policy.loaderFor('r2').load(check('a/1'))).resolves.toMatchObject({
        allowed: true,
      });
      expect(asked()).toBe(answers.length + 1);
    },
  );

  it('asks again after a transport failure (a connection closed by a draining policy)', async () => {
    const log = createRecordingLogger();
    const { client, asked } = scriptedPolicy([down]);
    const policy = createPolicyClient({ client, policyUrl: 'x', cacheMs: 0, logger: log.logger });
    await expect(policy.loaderFor('r1').load(check('a/1'))).resolves.toMatchObject({
      allowed: true,
    });
    expect(asked()).toBe(2);
    expect(log.errors()).toEqual([]);
  });

  it("passes policy's own refusals on as they are", async () => {
    const refusal = new GraphQLError('No.', { extensions: { code: 'FORBIDDEN' } });
    const { client } = scriptedPolicy([refusal]);
    const policy = createPolicyClient({
      client,
      policyUrl: 'x',
      cacheMs: 0,
      logger: createRecordingLogger().logger,
    });
    await expect(policy.loaderFor('r1').load(check('a/1'))).rejects.toBe(refusal);
  });
});
