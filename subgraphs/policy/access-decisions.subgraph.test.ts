import { createMemoryStreamLeases } from '../../lib/rate-limit/stream-leases.js';
import type { Principal } from '../../lib/auth/principal.js';
import { createRateLimiter } from '../../lib/rate-limit/index.js';
import { createKv } from '../../lib/kv/index.js';
import { expectErrorCode, expectNoErrors } from '../../test/support/graphql-client.js';
import { createTestKeys, orgAdmin, silentLogger, teamKey } from '../../test/support/identities.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { runSubgraph, type RunningSubgraph } from '../../test/support/subgraph-harness.js';
import { createAccessRuleService } from './service/access-rule-service.js';
import { createPolicyService } from './service/policy-service.js';
import { POLICY_SCHEMA, createPolicySubgraph, preparePolicyStore } from './server.js';

const inference: Principal = {
  id: 'service:inference',
  kind: 'SERVICE',
  orgId: 'default',
  roles: [],
  scopes: ['policy:decide'],
  teams: [],
};
const DECIDE = `query($c: [AccessCheckInput!]!) { accessDecisions(checks: $c) { allowed reason } }`;

interface Decisions<Extra = Record<string, never>> {
  accessDecisions: Array<{ allowed: boolean; reason?: string | null } & Extra>;
}
interface QuotaFields {
  quota: Record<string, number | null>;
}

// The decision API is for services, which reach the subgraph directly with their own internal
// token; this runs at subgraph level on embedded stores (the rules' store is covered elsewhere).
describe('the access decision API', () => {
  let database: TestDatabase;
  let subgraph: RunningSubgraph;
  let teamId: string;
  let policy: ReturnType<typeof createPolicyService>;
  beforeAll(async () => {
    database = await createTestDatabase('embedded');
    const db = await database.open(POLICY_SCHEMA);
    await preparePolicyStore(db);
    const kv = await createKv({});
    const keys = await createTestKeys();
    const caller = { principal: orgAdmin(), requestId: 'test' };
    policy = createPolicyService(db, kv, () => new Date());
    teamId = (await policy.createTeam(caller, 'Deciders')).id;
    const access = createAccessRuleService(db);
    await access.setModelAccess(caller, {
      teamId,
      effect: 'ALLOW',
      subject: 'PROVIDER',
      value: 'local',
    });
    await access.setModelAccess(caller, {
      teamId,
      effect: 'DENY',
      subject: 'CAPABILITY',
      value: 'EMBEDDING',
    });
    subgraph = await runSubgraph(
      createPolicySubgraph({
        db,
        kv,
        rateLimiter: await createRateLimiter({}),
        streamLeases: createMemoryStreamLeases(),
        verifier: keys.verifier,
        logger: silentLogger,
        production: false,
      }),
      keys,
    );
  });
  afterAll(async () => {
    await subgraph?.stop();
    await database?.drop();
  });

  const check = (modelId: string, capabilities: string[], extra: Record<string, unknown> = {}) => ({
    teamId,
    modelId,
    providerId: modelId.split('/')[0],
    capabilities,
    tags: [],
    modelClassification: 'RESTRICTED',
    ...extra,
  });

  it('answers many checks in one call, in order, with reasons', async () => {
    const data = expectNoErrors(
      await subgraph.as(inference)<Decisions>(DECIDE, {
        variables: {
          c: [
            check('local/echo-chat', ['CHAT']),
            check('local/hash-embed', ['EMBEDDING']),
            check('openai/gpt-4o', ['CHAT']),
            check('local/echo-chat', ['CHAT'], {
              modelClassification: 'INTERNAL',
              dataClass: 'RESTRICTED',
            }),
          ],
        },
      }),
    );
    expect(data.accessDecisions.map((d) => d.allowed)).toEqual([true, false, false, false]);
    expect(data.accessDecisions[1]?.reason).toMatch(/DENY CAPABILITY EMBEDDING/);
    expect(data.accessDecisions[3]?.reason).toMatch(/ceiling is INTERNAL/);
  });

  it("carries the team's quota, so the caller needs no second call", async () => {
    const caller = { principal: orgAdmin(), requestId: 'test' };
    await policy.setQuota(caller, { teamId, rpm: 60, tpm: 10_000 });
    const data = expectNoErrors(
      await subgraph.as(inference)<Decisions<QuotaFields>>(
        `query($c: [AccessCheckInput!]!) { accessDecisions(checks: $c) {
          allowed quota { requestsPerMinute tokensPerMinute tokensPerDay keyRequestsPerMinute } } }`,
        { variables: { c: [check('local/echo-chat', ['CHAT'])] } },
      ),
    );
    expect(data.accessDecisions[0]).toEqual({
      allowed: true,
      quota: {
        requestsPerMinute: 60,
        tokensPerMinute: 10_000,
        tokensPerDay: null,
        keyRequestsPerMinute: null,
      },
    });
  });

  it('is for services: a team key is refused', async () => {
    expectErrorCode(
      await subgraph.as(
        teamKey(teamId, ['models:read', 'inference:invoke', 'policy:admin']),
      )<Decisions>(DECIDE, {
        variables: { c: [check('local/echo-chat', ['CHAT'])] },
      }),
      'FORBIDDEN',
    );
  });
});
