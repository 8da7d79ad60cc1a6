import type { Principal } from '../lib/auth/principal.js';
import type { Db } from '../lib/db/index.js';
import type { Kv } from '../lib/kv/index.js';
import { createAccessRuleService } from '../subgraphs/policy/service/access-rule-service.js';
import { createPolicyService } from '../subgraphs/policy/service/policy-service.js';
import { createLedger } from '../subgraphs/wallet/service/ledger/ledger.js';
import { createTeamStore } from '../subgraphs/policy/store/team-store.js';

export const DEMO_TEAM = 'Demo';

const SEEDER: Principal = {
  id: 'service:demo-seed',
  kind: 'SERVICE',
  orgId: 'default',
  roles: ['ORG_ADMIN'],
  scopes: [],
  teams: [],
};

/** The API's unit: amounts are micro-credits (millionths of a credit). */
export const MICRO_CREDITS_PER_CREDIT = 1_000_000n;

/** Credits the Demo team starts with: 100 credits, in micro-credits. */
export const DEMO_CREDITS = 100n * MICRO_CREDITS_PER_CREDIT;

/**
 * Development only: a Demo team with a member API key and 100 credits, so a newcomer can query at
 * once. Returns the key's secret, or null when the team already exists (its key was printed when
 * it was made).
 */
export async function seedDemoTeam(
  policyDb: Db,
  walletDb: Db,
  kv: Kv,
): Promise<{ teamId: string; secret: string } | null> {
  if (await createTeamStore(policyDb).byName(DEMO_TEAM)) return null;
  const service = createPolicyService(policyDb, kv, () => new Date());
  const caller = { principal: SEEDER, requestId: 'demo-seed' };
  const team = await service.createTeam(caller, DEMO_TEAM);
  const { secret } = await service.createApiKey(caller, {
    teamId: team.id,
    name: 'demo member key',
    scopes: ['models:read', 'inference:invoke', 'wallet:read'],
  });
  // The demo runs on the local models: the organization's default lets every team use them.
  await createAccessRuleService(policyDb).setModelAccess(caller, {
    effect: 'ALLOW',
    subject: 'TAG',
    value: 'local',
  });
  await createLedger(walletDb).grant({
    walletId: team.id,
    amount: DEMO_CREDITS,
    idempotencyKey: 'demo-seed',
    memo: 'Demo credits',
    actor: SEEDER.id,
  });
  return { teamId: team.id, secret };
}
