import { DEFAULT_DATA_CLASS } from '../../../lib/policy/data-classes.js';
import { isOrgAdmin, teamIdsOf, type Principal } from '../../../lib/auth/principal.js';
import type { Db } from '../../../lib/db/index.js';
import { badUserInput } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/logging.js';
import type { RateLimiter } from '../../../lib/rate-limit/index.js';
import type { StreamLeases } from '../../../lib/rate-limit/stream-leases.js';
import type { AccessCheckInput } from '../generated/resolvers-types.js';
import type { PolicyLoaders } from '../loaders.js';
import { createAuditStore, type AuditFilter } from '../store/audit-store.js';
import type { QuotaRow } from '../store/quota-store.js';
import { createTeamStore } from '../store/team-store.js';
import { decideAccess } from './access-decision.js';
import { quotaFiguresOf } from '../../../lib/rate-limit/quota-names.js';

/** Checks per `accessDecisions` call: one operation's worth of targets, with room to spare. */
const MAX_CHECKS = 500;

/**
 * What the policy subgraph's resolvers read beyond the per-request loaders.
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createPolicyReads(db: Db, rateLimiter: RateLimiter, streamLeases: StreamLeases) {
  const teams = createTeamStore(db);
  const audit = createAuditStore(db);
  return {
    /** Every team for an organization admin; else the caller's own. */
    listTeams: (principal: Principal) =>
      isOrgAdmin(principal) ? teams.list() : teams.list(teamIdsOf(principal)),

    /** Up to `limit` audit events after `afterSeq`, newest first (the org-wide log without a team). */
    auditEvents: (
      teamId: string | null,
      filter: AuditFilter,
      afterSeq: string | null,
      limit: number,
    ) => audit.list(teamId, filter, afterSeq, limit),
    countAuditEvents: (teamId: string | null, filter: AuditFilter) => audit.count(teamId, filter),

    /** One decision per check, in order, each with the team's quota so callers need no second call. */
    accessDecisions: (checks: readonly AccessCheckInput[], loaders: PolicyLoaders) => {
      if (checks.length > MAX_CHECKS) {
        throw badUserInput(`At most ${MAX_CHECKS} checks per call.`, { field: 'checks' });
      }
      return Promise.all(
        checks.map(async (check) => {
          assertUuid(check.teamId, 'teamId');
          const quota = quotaFiguresOf(await loaders.quota.load(check.teamId));
          const decision = decideAccess(
            {
              id: check.modelId,
              providerId: check.providerId,
              capabilities: check.capabilities,
              tags: check.tags,
              ceiling: check.modelClassification,
            },
            await loaders.accessRules.load(check.teamId),
            check.dataClass ?? DEFAULT_DATA_CLASS,
          );
          return { ...decision, quota };
        }),
      );
    },

    /** Where a team stands against its limits; `unavailable` (and a warning) when unreadable. */
    async rateLimitStatus(teamId: string, quota: QuotaRow, logger: Logger) {
      const { rpm, tpm, tpd, maxConcurrentStreams: streamLimit } = quota;
      const [status, streams] = await Promise.all([
        rateLimiter.status({ teamId }, { rpm, tpm, tpd }),
        openStreams(streamLeases, teamId, streamLimit),
      ]);
      if (status.unavailable) {
        logger.warn({ teamId, reason: status.unavailable }, 'rate limits unreadable');
      }
      if (streams === 'unavailable') logger.warn({ teamId }, 'stream leases unreadable');
      const figure = (s: (typeof status)['rpm']) =>
        s
          ? { limit: s.limit, remaining: s.remaining, resetAfterSeconds: s.resetAfterMs / 1000 }
          : null;
      return {
        requestsPerMinute: figure(status.rpm),
        tokensPerMinute: figure(status.tpm),
        tokensPerDay: figure(status.tpd),
        concurrentStreams: streams === 'unavailable' ? null : streams,
        unavailable: status.unavailable !== undefined || streams === 'unavailable',
      };
    },
  };
}

/** The team's open streams against its limit, from the leases the inference saga takes. */
async function openStreams(leases: StreamLeases, teamId: string, limit: number | undefined) {
  // Without a limit the saga takes no lease, so there is nothing to count.
  if (limit === undefined) return null;
  try {
    const open = await leases.count(teamId);
    return { limit, open, remaining: Math.max(0, limit - open) };
  } catch {
    return 'unavailable' as const;
  }
}

export type PolicyReads = ReturnType<typeof createPolicyReads>;
