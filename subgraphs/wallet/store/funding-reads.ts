import type { Queryable } from '../../../lib/db/index.js';
import { fundingAccountFor } from './accounts.js';
import { toTransfer, type TransferRecord, type TransferRow } from './transfer-rows.js';

/** A wallet's available balance crossing below its low-balance threshold. */
export interface CrossingRow {
  seq: string;
  /** The transaction that recorded it (xid8 as a decimal string): the first part of its order. */
  xid: string;
  walletId: string;
  threshold: bigint;
  availableAfter: bigint;
  createdAt: Date;
}

/** Where a page of crossings continues: after this (xid, seq). */
export interface CrossingPosition {
  xid: string;
  seq: string;
}

/** A wallet's figures over a window, each summed from its transfers. */
export interface StatementFigures {
  openingPosted: bigint;
  openingOwed: bigint;
  closingPosted: bigint;
  closingOwed: bigint;
  granted: bigint;
  debited: bigint;
  charged: bigint;
  refunded: bigint;
}

/*
 * Crossings whose transaction is older than every transaction still running (the snapshot's
 * xmin) can no longer be joined by one that sorts before them, so a reader paging in (xid, seq)
 * order never skips one that commits late; it only sees it a moment later.
 */
const CROSSINGS = `SELECT seq, xid::text AS xid, wallet_id, threshold, available_after, created_at
  FROM balance_crossings
  WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
    AND ($1::xid8 IS NULL OR (xid, seq) > ($1::xid8, $2::bigint))
  ORDER BY xid, seq LIMIT $3`;

/*
 * A wallet's statement, summed from its transfers made before `to` ($3): opening figures from
 * those before `from` ($2), closing from all of them, window totals from the rest. An OWED whose
 * credit is the funding shard ($4) is the owed part of a DEBIT; any other is a call's.
 */
const STATEMENT = `WITH t AS (
  SELECT kind, amount, credit_account_id, created_at >= $2 AS inside,
    CASE WHEN kind IN ('GRANT', 'REFUND') THEN amount
         WHEN kind IN ('CAPTURE', 'SPEND', 'EXCESS', 'REPAY', 'DEBIT') THEN -amount
         ELSE 0 END AS posted,
    CASE WHEN kind = 'OWED' THEN amount WHEN kind = 'REPAY' THEN -amount ELSE 0 END AS owed
  FROM transfers WHERE wallet_id = $1 AND created_at < $3
)
SELECT
  coalesce(sum(posted) FILTER (WHERE NOT inside), 0) AS opening_posted,
  coalesce(sum(owed) FILTER (WHERE NOT inside), 0) AS opening_owed,
  coalesce(sum(posted), 0) AS closing_posted,
  coalesce(sum(owed), 0) AS closing_owed,
  coalesce(sum(amount) FILTER (WHERE inside AND kind = 'GRANT'), 0) AS granted,
  coalesce(sum(amount) FILTER (WHERE inside AND (kind = 'DEBIT'
    OR (kind = 'OWED' AND credit_account_id = $4))), 0) AS debited,
  coalesce(sum(amount) FILTER (WHERE inside AND (kind IN ('CAPTURE', 'SPEND', 'EXCESS')
    OR (kind = 'OWED' AND credit_account_id <> $4))), 0) AS charged,
  coalesce(sum(amount) FILTER (WHERE inside AND kind = 'REFUND'), 0) AS refunded
FROM t`;

/** What the billing service reads from the ledger: payments' grants, crossings, statements. */
export function createFundingReads(db: Queryable) {
  return {
    /** Every GRANT made for one of `paymentIds` (any wallet), oldest first. */
    async grantsForPayments(paymentIds: readonly string[]): Promise<TransferRow[]> {
      const { rows } = await db.query<TransferRecord>(
        `SELECT * FROM transfers WHERE kind = 'GRANT' AND metadata ? 'paymentId'
           AND metadata->>'paymentId' = ANY($1::text[])
         ORDER BY seq`,
        [paymentIds],
      );
      return rows.map(toTransfer);
    },

    /** Up to `limit` crossings after `after`, in (xid, seq) order (see above). */
    async balanceCrossings(after: CrossingPosition | null, limit: number): Promise<CrossingRow[]> {
      const { rows } = await db.query<{
        seq: string;
        xid: string;
        wallet_id: string;
        threshold: string;
        available_after: string;
        created_at: Date;
      }>(CROSSINGS, [after?.xid ?? null, after?.seq ?? null, limit]);
      return rows.map((r) => ({
        seq: String(r.seq),
        xid: r.xid,
        walletId: r.wallet_id,
        threshold: BigInt(r.threshold),
        availableAfter: BigInt(r.available_after),
        createdAt: r.created_at,
      }));
    },

    /** How many crossings a reader may see now (the same condition as the pages). */
    async countBalanceCrossings(): Promise<number> {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM balance_crossings
         WHERE xid < pg_snapshot_xmin(pg_current_snapshot())`,
      );
      return Number(rows[0]?.n ?? 0);
    },

    /** A wallet's opening and closing figures and the window's totals, from `from` to `to`. */
    async statementFigures(walletId: string, from: Date, to: Date): Promise<StatementFigures> {
      const { rows } = await db.query<Record<string, string>>(STATEMENT, [
        walletId,
        from,
        to,
        fundingAccountFor(walletId),
      ]);
      const r = rows[0] ?? {};
      const big = (column: string) => BigInt(r[column] ?? 0);
      return {
        openingPosted: big('opening_posted'),
        openingOwed: big('opening_owed'),
        closingPosted: big('closing_posted'),
        closingOwed: big('closing_owed'),
        granted: big('granted'),
        debited: big('debited'),
        charged: big('charged'),
        refunded: big('refunded'),
      };
    },
  };
}

export type FundingReads = ReturnType<typeof createFundingReads>;
