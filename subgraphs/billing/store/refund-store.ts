import type { Db } from '../../../lib/db/index.js';
import { toPurchase, type PurchaseRecord, type PurchaseRow } from './purchase-rows.js';

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';
export type RefundSource = 'ADMIN' | 'PROVIDER';

/** Money given back for a purchase (store/migrations.ts, refunds). Credits in µcr. */
export interface RefundRow {
  id: string;
  seq: string;
  purchaseId: string;
  teamId: string;
  providerRefundId: string | null;
  source: RefundSource;
  status: RefundStatus;
  amountMinor: number;
  credits: bigint;
  debitedCredits: bigint | null;
  owedCredits: bigint | null;
  debitTransferId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  reason: string | null;
  failure: string | null;
  createdBy: string;
  createdAt: Date;
}

interface RefundRecord {
  id: string;
  seq: string;
  purchase_id: string;
  team_id: string;
  provider_refund_id: string | null;
  source: RefundSource;
  status: RefundStatus;
  amount_minor: string;
  credits: string;
  debited_credits: string | null;
  owed_credits: string | null;
  debit_transfer_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  reason: string | null;
  failure: string | null;
  created_by: string;
  created_at: Date;
}

const big = (v: string | null) => (v === null ? null : BigInt(v));

const toRefund = (r: RefundRecord): RefundRow => ({
  id: r.id,
  seq: String(r.seq),
  purchaseId: r.purchase_id,
  teamId: r.team_id,
  providerRefundId: r.provider_refund_id,
  source: r.source,
  status: r.status,
  amountMinor: Number(r.amount_minor),
  credits: BigInt(r.credits),
  debitedCredits: big(r.debited_credits),
  owedCredits: big(r.owed_credits),
  debitTransferId: r.debit_transfer_id,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  reason: r.reason,
  failure: r.failure,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** What a purchase has already given back, read under its row lock. */
export interface PurchaseTaken {
  purchase: PurchaseRow;
  /** Money of refunds not FAILED (pending ones included: they may still succeed). */
  refundedMinor: number;
  /** Credits those refunds and lost disputes stand for. */
  takenCredits: bigint;
}

/** A refund as first written; its credits are decided from what the purchase has given back. */
export interface NewRefund {
  id: string;
  source: RefundSource;
  amountMinor: number;
  credits: bigint;
  providerRefundId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  reason: string | null;
  createdBy: string;
}

/**
 * Locks the purchase's row and reads what it has already given back, so refunds and disputes of
 * one purchase are sized one after another (their credits never add up to more than the grant).
 */
export async function lockPurchaseTaken(
  tx: Pick<Db, 'query'>,
  purchaseId: string,
): Promise<PurchaseTaken | null> {
  const { rows } = await tx.query<PurchaseRecord>(
    'SELECT * FROM purchases WHERE id = $1 FOR UPDATE',
    [purchaseId],
  );
  if (!rows[0]) return null;
  const { rows: sums } = await tx.query<{ minor: string; credits: string }>(
    `SELECT
       (SELECT coalesce(sum(amount_minor), 0) FROM refunds
         WHERE purchase_id = $1 AND status <> 'FAILED') AS minor,
       (SELECT coalesce(sum(credits), 0) FROM refunds
         WHERE purchase_id = $1 AND status <> 'FAILED')
       + (SELECT coalesce(sum(credits), 0) FROM disputes
         WHERE purchase_id = $1 AND status = 'LOST') AS credits`,
    [purchaseId],
  );
  return {
    purchase: toPurchase(rows[0]),
    refundedMinor: Number(sums[0]!.minor),
    takenCredits: BigInt(sums[0]!.credits),
  };
}

/** The refunds table (store/migrations.ts). */
export function createRefundStore(db: Db) {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<RefundRecord>(sql, params);
    return rows[0] ? toRefund(rows[0]) : null;
  };
  return {
    byId: (id: string) => one('SELECT * FROM refunds WHERE id = $1', [id]),
    byKey: (purchaseId: string, key: string) =>
      one('SELECT * FROM refunds WHERE purchase_id = $1 AND idempotency_key = $2', [
        purchaseId,
        key,
      ]),
    byProviderId: (providerRefundId: string) =>
      one('SELECT * FROM refunds WHERE provider_refund_id = $1', [providerRefundId]),

    /** The refunds of these purchases, oldest first. */
    async ofPurchases(purchaseIds: readonly string[]): Promise<RefundRow[]> {
      const { rows } = await db.query<RefundRecord>(
        'SELECT * FROM refunds WHERE purchase_id = ANY($1::uuid[]) ORDER BY seq',
        [purchaseIds],
      );
      return rows.map(toRefund);
    },

    /**
     * Writes a refund sized by `decide` from what the purchase has given back, under the
     * purchase's row lock. Answers the refund already there instead when one has the same key or
     * provider id (a concurrent request or delivery got there first); `decide` may throw a refusal.
     */
    async reserve(
      purchaseId: string,
      match: { idempotencyKey?: string; providerRefundId?: string },
      decide: (taken: PurchaseTaken) => NewRefund,
    ): Promise<{ refund: RefundRow; created: boolean } | null> {
      return db.transaction(async (tx) => {
        const taken = await lockPurchaseTaken(tx, purchaseId);
        if (!taken) return null;
        const { rows: existing } = await tx.query<RefundRecord>(
          `SELECT * FROM refunds WHERE purchase_id = $1
             AND (idempotency_key = $2 OR provider_refund_id = $3)`,
          [purchaseId, match.idempotencyKey ?? null, match.providerRefundId ?? null],
        );
        if (existing[0]) return { refund: toRefund(existing[0]), created: false };
        const r = decide(taken);
        const { rows } = await tx.query<RefundRecord>(
          `INSERT INTO refunds (id, purchase_id, team_id, provider_refund_id, source, status,
             amount_minor, credits, idempotency_key, request_hash, reason, created_by)
           VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7, $8, $9, $10, $11) RETURNING *`,
          [
            r.id,
            purchaseId,
            taken.purchase.teamId,
            r.providerRefundId,
            r.source,
            r.amountMinor,
            r.credits.toString(),
            r.idempotencyKey,
            r.requestHash,
            r.reason,
            r.createdBy,
          ],
        );
        return { refund: toRefund(rows[0]!), created: true };
      });
    },

    /** Names the provider's refund; a refund already named keeps its name. */
    async attachProviderRefund(id: string, providerRefundId: string): Promise<void> {
      await db.query(
        `UPDATE refunds SET provider_refund_id = $2, updated_at = now()
         WHERE id = $1 AND provider_refund_id IS NULL`,
        [id, providerRefundId],
      );
    },

    /**
     * PENDING → SUCCEEDED with what the wallet debited, and the purchase's totals with it, in one
     * transaction. Null when it had already succeeded (or failed): the totals move once.
     */
    async markSucceeded(
      id: string,
      debit: { debited: bigint; owed: bigint; transferId: string | null },
    ): Promise<RefundRow | null> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<RefundRecord>(
          `UPDATE refunds SET status = 'SUCCEEDED', debited_credits = $2, owed_credits = $3,
             debit_transfer_id = $4, updated_at = now()
           WHERE id = $1 AND status = 'PENDING' RETURNING *`,
          [id, debit.debited.toString(), debit.owed.toString(), debit.transferId],
        );
        if (!rows[0]) return null;
        await tx.query(
          `UPDATE purchases SET refunded_amount_minor = refunded_amount_minor + $2,
             clawed_back_credits = clawed_back_credits + $3, owed_credits = owed_credits + $4,
             updated_at = now()
           WHERE id = $1`,
          [
            rows[0].purchase_id,
            rows[0].amount_minor,
            debit.debited.toString(),
            debit.owed.toString(),
          ],
        );
        return toRefund(rows[0]);
      });
    },

    /** PENDING → FAILED; null when it was no longer pending. */
    markFailed: (id: string, failure: string) =>
      one(
        `UPDATE refunds SET status = 'FAILED', failure = $2, updated_at = now()
         WHERE id = $1 AND status = 'PENDING' RETURNING *`,
        [id, failure.slice(0, 500)],
      ),
  };
}

export type RefundStore = ReturnType<typeof createRefundStore>;
