import type { AccessCheck } from '../../../lib/policy/access-decision-loader.js';
import type { ServiceClient } from '../../../lib/service-client.js';
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
  it('asks once per operation, and reuses answers for cacheMs', async () => {
    let clock = 1_000;
    const { client, asked } = fakePolicy();
    const policy = createPolicyClient({ client, policyUrl: 'x', cacheMs: 500, now: () => clock });
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
    const policy = createPolicyClient({ client, policyUrl: 'x', cacheMs: 0 });
    await policy.loaderFor('r1').load(check('a/1'));
    await policy.loaderFor('r2').load(check('a/1'));
    expect(asked).toEqual([['a/1'], ['a/1']]);
  });
});
