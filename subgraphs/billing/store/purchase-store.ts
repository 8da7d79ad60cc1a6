import type { Queryable } from '../../../lib/db/index.js';
import {
  toPurchase,
  type PurchaseKind,
  type PurchaseRecord,
  type PurchaseRow,
  type PurchaseStatus,
} from './purchase-rows.js';

/** A purchase as it is first written (the rest is filled in as the payment goes). */
export interface NewPurchase {
  id: string;
  teamId: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  currency: string;
  requestedAmountMinor: number;
  packId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  paymentId?: string | null;
  createdBy: string;
}

/** The purchases table (store/migrations.ts): reads, and the one insert every path shares. */
export function createPurchaseStore(db: Queryable) {
  return {
    /**
     * Writes a new purchase; null when the team already used the idempotency key (the caller
     * reads the earlier purchase with `byKey`).
     */
    async insert(p: NewPurchase): Promise<PurchaseRow | null> {
      const { rows } = await db.query<PurchaseRecord>(
        `INSERT INTO purchases (id, team_id, kind, status, currency, requested_amount_minor,
           pack_id, idempotency_key, request_hash, payment_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (team_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING *`,
        [
          p.id,
          p.teamId,
          p.kind,
          p.status,
          p.currency,
          p.requestedAmountMinor,
          p.packId,
          p.idempotencyKey,
          p.requestHash,
          p.paymentId ?? null,
          p.createdBy,
        ],
      );
      return rows[0] ? toPurchase(rows[0]) : null;
    },

    async byKey(teamId: string, idempotencyKey: string): Promise<PurchaseRow | null> {
      const { rows } = await db.query<PurchaseRecord>(
        'SELECT * FROM purchases WHERE team_id = $1 AND idempotency_key = $2',
        [teamId, idempotencyKey],
      );
      return rows[0] ? toPurchase(rows[0]) : null;
    },

    async byIds(ids: readonly string[]): Promise<PurchaseRow[]> {
      const { rows } = await db.query<PurchaseRecord>(
        'SELECT * FROM purchases WHERE id = ANY($1::uuid[])',
        [ids],
      );
      return rows.map(toPurchase);
    },

    async byCheckoutSession(sessionId: string): Promise<PurchaseRow | null> {
      const { rows } = await db.query<PurchaseRecord>(
        'SELECT * FROM purchases WHERE checkout_session_id = $1',
        [sessionId],
      );
      return rows[0] ? toPurchase(rows[0]) : null;
    },

    async byPaymentIds(paymentIds: readonly string[]): Promise<PurchaseRow[]> {
      const { rows } = await db.query<PurchaseRecord>(
        'SELECT * FROM purchases WHERE payment_id = ANY($1::text[])',
        [paymentIds],
      );
      return rows.map(toPurchase);
    },

    /** A team's purchases, newest first, after the purchase whose seq is `afterSeq`. */
    async pageOfTeam(
      teamId: string,
      size: number,
      afterSeq: string | null,
      status: PurchaseStatus | null,
    ): Promise<PurchaseRow[]> {
      const { rows } = await db.query<PurchaseRecord>(
        `SELECT * FROM purchases
         WHERE team_id = $1 AND ($2::text IS NULL OR status = $2)
           AND ($3::bigint IS NULL OR seq < $3::bigint)
         ORDER BY seq DESC LIMIT $4`,
        [teamId, status, afterSeq, size + 1],
      );
      return rows.map(toPurchase);
    },

    async countOfTeam(teamId: string, status: PurchaseStatus | null): Promise<number> {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM purchases WHERE team_id = $1 AND ($2::text IS NULL OR status = $2)`,
        [teamId, status],
      );
      return Number(rows[0]!.n);
    },
  };
}

export type PurchaseStore = ReturnType<typeof createPurchaseStore>;
