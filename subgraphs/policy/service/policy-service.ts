import type { Db } from '../../../lib/db/index.js';
import type { Kv } from '../../../lib/kv/index.js';
import { createAccessRuleService } from './access-rule-service.js';
import { createApiKeyService } from './api-key-service.js';
import { createAuditTrail } from './audit-trail.js';
import { createQuotaService } from './quota-service.js';
import { createTeamService } from './team-service.js';

export type { Caller } from './audit-trail.js';

/**
 * Policy writes. Authorization beyond "may administer this team" (which shield checks) lives here:
 * a key's scopes and a member's role never exceed the granter's own. Every change is written to
 * the audit log in the same transaction; every refusal here is written as DENIED.
 */
export function createPolicyService(db: Db, kv: Kv, now: () => Date) {
  const trail = createAuditTrail(db);
  return {
    ...createTeamService(db, kv, trail),
    ...createApiKeyService(db, kv, now, trail),
    ...createQuotaService(db, trail),
    ...createAccessRuleService(db),
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
