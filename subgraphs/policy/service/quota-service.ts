import type { Db } from '../../../lib/db/index.js';
import { badUserInput } from '../../../lib/errors.js';
import { createQuotaStore, type QuotaRow } from '../store/quota-store.js';
import { requireTeam, type AuditTrail, type Caller } from './audit-trail.js';

/** A team's rate limits. */
export function createQuotaService(db: Db, { audited }: AuditTrail) {
  return {
    /** Sets a team's rate limits (null: unlimited); the limiter applies them from the next request. */
    async setQuota(caller: Caller, quota: QuotaRow): Promise<QuotaRow> {
      await requireTeam(db, quota.teamId);
      for (const [field, value] of Object.entries(quota)) {
        if (
          field !== 'teamId' &&
          value !== undefined &&
          (!Number.isInteger(value) || (value as number) < 0)
        ) {
          throw badUserInput(`${field} must be a whole number of 0 or more.`, { field });
        }
      }
      const event = {
        teamId: quota.teamId,
        action: 'QUOTA_SET',
        targetType: 'Team',
        targetId: quota.teamId,
      };
      return audited(caller, { ...event, details: {} }, async (tx) => {
        await createQuotaStore(tx).set(quota);
        const { teamId: _team, ...limits } = quota;
        return { result: quota, event: { ...event, details: limits } };
      });
    },
  };
}

/** A stored quota as the schema's Quota (null where unlimited). */
export function quotaFields(q: QuotaRow) {
  return {
    requestsPerMinute: q.rpm ?? null,
    tokensPerMinute: q.tpm ?? null,
    tokensPerDay: q.tpd ?? null,
    keyRequestsPerMinute: q.keyRpm ?? null,
    keyTokensPerMinute: q.keyTpm ?? null,
  };
}
