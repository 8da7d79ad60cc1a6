import type { Queryable } from '../../../lib/db/index.js';
import { toPurchase, type PurchaseRecord, type PurchaseRow } from './purchase-rows.js';

/** The purchases a statement lists. */
export function createStatementReads(db: Queryable) {
  return {
    /** A team's purchases granted in [from, to), oldest first. */
    async paidBetween(teamId: string, from: Date, to: Date): Promise<PurchaseRow[]> {
      const { rows } = await db.query<PurchaseRecord>(
        `SELECT * FROM purchases
         WHERE team_id = $1 AND status = 'PAID' AND paid_at >= $2 AND paid_at < $3
         ORDER BY paid_at, seq`,
        [teamId, from, to],
      );
      return rows.map(toPurchase);
    },
  };
}

export type StatementReads = ReturnType<typeof createStatementReads>;
