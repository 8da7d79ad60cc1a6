import type { Db } from '../../../lib/db/index.js';
import { badUserInput } from '../../../lib/errors.js';
import { QUOTA_FIELDS } from '../../../lib/rate-limit/quota-names.js';
import type { LimitName } from '../../../lib/rate-limit/types.js';
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
          const name = QUOTA_FIELDS[field as LimitName] ?? field;
          throw badUserInput(`${name} must be a whole number of 0 or more.`, { field: name });
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
