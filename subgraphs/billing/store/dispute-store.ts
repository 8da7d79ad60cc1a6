import type { Db } from '../../../lib/db/index.js';
import { lockPurchaseTaken, type PurchaseTaken } from './refund-store.js';

export type DisputeStatus = 'OPEN' | 'WON' | 'LOST';

/** A payer's bank disputing a purchase's payment (store/migrations.ts, disputes). */
export interface DisputeRow {
  id: string;
  seq: string;
  purchaseId: string;
  teamId: string;
  amountMinor: number;
  credits: bigint;
  status: DisputeStatus;
  holdId: string | null;
  heldCredits: bigint;
  holdSettled: boolean;
  debitedCredits: bigint | null;
  owedCredits: bigint | null;
  debitTransferId: string | null;
  reason: string | null;
  createdAt: Date;
  closedAt: Date | null;
}

interface DisputeRecord {
  id: string;
  seq: string;
  purchase_id: string;
  team_id: string;
  amount_minor: string;
  credits: string;
  status: DisputeStatus;
  hold_id: string | null;
  held_credits: string;
  hold_settled: boolean;
  debited_credits: string | null;
  owed_credits: string | null;
  debit_transfer_id: string | null;
  reason: string | null;
  created_at: Date;
  closed_at: Date | null;
}

const big = (v: string | null) => (v === null ? null : BigInt(v));

const toDispute = (r: DisputeRecord): DisputeRow => ({
  id: r.id,
  seq: String(r.seq),
  purchaseId: r.purchase_id,
  teamId: r.team_id,
  amountMinor: Number(r.amount_minor),
  credits: BigInt(r.credits),
  status: r.status,
  holdId: r.hold_id,
  heldCredits: BigInt(r.held_credits),
  holdSettled: r.hold_settled,
  debitedCredits: big(r.debited_credits),
  owedCredits: big(r.owed_credits),
  debitTransferId: r.debit_transfer_id,
  reason: r.reason,
  createdAt: r.created_at,
  closedAt: r.closed_at,
});

/**
 * The disputes table (store/migrations.ts). Every step is a conditional update, so deliveries
 * that run at once or again each find the step done or do it once: status only leaves OPEN once,
 * a hold attaches only while OPEN, the debit is recorded once.
 */
export function createDisputeStore(db: Db) {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<DisputeRecord>(sql, params);
    return rows[0] ? toDispute(rows[0]) : null;
  };
  return {
    byId: (id: string) => one('SELECT * FROM disputes WHERE id = $1', [id]),

    /** The disputes of these purchases, oldest first. */
    async ofPurchases(purchaseIds: readonly string[]): Promise<DisputeRow[]> {
      const { rows } = await db.query<DisputeRecord>(
        'SELECT * FROM disputes WHERE purchase_id = ANY($1::uuid[]) ORDER BY seq',
        [purchaseIds],
      );
      return rows.map(toDispute);
    },

    /**
     * Records a dispute once, its credits sized by `creditsOf` under the purchase's lock;
     * `created` is true for the delivery that wrote it.
     */
    async record(
      input: { id: string; purchaseId: string; amountMinor: number; reason: string | null },
      creditsOf: (taken: PurchaseTaken) => bigint,
    ): Promise<{ dispute: DisputeRow; created: boolean } | null> {
      return db.transaction(async (tx) => {
        const taken = await lockPurchaseTaken(tx, input.purchaseId);
        if (!taken) return null;
        const { rowCount } = await tx.query(
          `INSERT INTO disputes (id, purchase_id, team_id, amount_minor, credits, status, reason)
           VALUES ($1, $2, $3, $4, $5, 'OPEN', $6) ON CONFLICT (id) DO NOTHING`,
          [
            input.id,
            input.purchaseId,
            taken.purchase.teamId,
            input.amountMinor,
            creditsOf(taken).toString(),
            input.reason,
          ],
        );
        const { rows } = await tx.query<DisputeRecord>('SELECT * FROM disputes WHERE id = $1', [
          input.id,
        ]);
        return { dispute: toDispute(rows[0]!), created: rowCount > 0 };
      });
    },

    /** Names the hold while the dispute is open and has none; null otherwise. */
    attachHold: (id: string, holdId: string, held: bigint) =>
      one(
        `UPDATE disputes SET hold_id = $2, held_credits = $3
         WHERE id = $1 AND status = 'OPEN' AND hold_id IS NULL RETURNING *`,
        [id, holdId, held.toString()],
      ),

    /** OPEN → WON or LOST; null when it was already closed. */
    close: (id: string, status: 'WON' | 'LOST') =>
      one(
        `UPDATE disputes SET status = $2, closed_at = now()
         WHERE id = $1 AND status = 'OPEN' RETURNING *`,
        [id, status],
      ),

    /** The hold was released (dispute won); true the first time. */
    async markHoldReleased(id: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'UPDATE disputes SET hold_settled = true WHERE id = $1 AND NOT hold_settled',
        [id],
      );
      return rowCount > 0;
    },

    /**
     * Records a lost dispute's debit and adds it to the purchase's totals, once; null when it
     * was already recorded.
     */
    async markDebited(
      id: string,
      debit: { debited: bigint; owed: bigint; transferId: string | null },
    ): Promise<DisputeRow | null> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<DisputeRecord>(
          `UPDATE disputes SET debited_credits = $2, owed_credits = $3, debit_transfer_id = $4,
             hold_settled = true
           WHERE id = $1 AND status = 'LOST' AND debited_credits IS NULL RETURNING *`,
          [id, debit.debited.toString(), debit.owed.toString(), debit.transferId],
        );
        if (!rows[0]) return null;
        await tx.query(
          `UPDATE purchases SET clawed_back_credits = clawed_back_credits + $2,
             owed_credits = owed_credits + $3, updated_at = now()
           WHERE id = $1`,
          [rows[0].purchase_id, debit.debited.toString(), debit.owed.toString()],
        );
        return toDispute(rows[0]);
      });
    },
  };
}

export type DisputeStore = ReturnType<typeof createDisputeStore>;
