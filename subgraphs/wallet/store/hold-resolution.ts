import type { Queryable } from '../../../lib/db/index.js';
import { revenueAccountFor } from './accounts.js';
import { addToMonthSpend } from './account-figures.js';
import { toTransfer, type TransferRecord, type TransferRow } from './transfer-rows.js';

/** Which open hold a resolution takes: a named one, or the next one past its expiry. */
export type ResolutionTarget = { holdId: string; onlyIfUnexpired: boolean } | { nextExpired: true };

export interface Resolution {
  kind: 'CAPTURE' | 'VOID' | 'EXPIRE';
  target: ResolutionTarget;
  /**
   * What is captured (0 for VOID and EXPIRE); the rest of what the hold has left is released. A
   * hold with less left than this (spends took it) is not taken.
   */
  amount: bigint;
  idempotencyKey: string | null;
  requestHash: string | null;
  metadata: Record<string, unknown>;
  actor: string;
}

/*
 * One statement resolves one hold, so it is all or nothing and holds the wallet's row lock only for
 * its own duration and commit:
 *   1. delete the hold from open_holds: only one resolver can get the row (capture, void and the
 *      sweeper race here; the unique index on transfers.pending_id backs it up). What the hold
 *      has left is its amount minus what spends took, read from the row it deletes, so a spend
 *      that commits first is seen;
 *   2. wallet account: what was left released from pending (and from dispute_held, for a dispute
 *      hold), captured amount posted, month's spend counted;
 *   3. the revenue shard, after the wallet (the same lock order as every other operation);
 *   4. the resolution transfer, append-only.
 */
function resolutionSql(target: ResolutionTarget): string {
  const pick =
    'nextExpired' in target
      ? `$6::uuid IS NULL AND o.hold_id = (SELECT hold_id FROM open_holds WHERE expires_at <= ledger_now()
           ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED)`
      : `o.hold_id = $6${target.onlyIfUnexpired ? ' AND o.expires_at > ledger_now()' : ''}`;
  return `
WITH hd AS (
  DELETE FROM open_holds o USING transfers t
  WHERE ${pick} AND t.id = o.hold_id AND t.amount - o.spent >= $1
  RETURNING o.hold_id, t.wallet_id, t.amount - o.spent AS held, t.credit_account_id,
    CASE WHEN t.metadata->>'purpose' = 'DISPUTE' THEN t.amount - o.spent ELSE 0 END AS disputed
), w AS (
  UPDATE accounts a SET
    debits_pending = a.debits_pending - hd.held,
    dispute_held = a.dispute_held - hd.disputed,
    debits_posted = a.debits_posted + $1,
    ${addToMonthSpend('$1', 'a.')}
  FROM hd WHERE a.id = hd.wallet_id
  RETURNING a.id
), r AS (
  UPDATE accounts a SET
    credits_pending = a.credits_pending - hd.held,
    credits_posted = a.credits_posted + $1
  FROM hd WHERE a.id = hd.credit_account_id AND EXISTS (SELECT 1 FROM w)
  RETURNING a.id
)
INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, released,
  pending_id, idempotency_key, request_hash, metadata, created_by)
SELECT $7, hd.wallet_id, hd.wallet_id, hd.credit_account_id, $1, hd.held, hd.hold_id, $2, $3, $4, $5
FROM hd
RETURNING *`;
}

// Built once: the three shapes a resolution takes.
const RESOLUTIONS = {
  next: resolutionSql({ nextExpired: true }),
  unexpired: resolutionSql({ holdId: '', onlyIfUnexpired: true }),
  any: resolutionSql({ holdId: '', onlyIfUnexpired: false }),
};

/** Resolves one hold; undefined when no open hold matched (resolved already, or expired). */
export async function resolveHold(
  db: Queryable,
  resolution: Resolution,
): Promise<TransferRow | undefined> {
  const { target } = resolution;
  const params: unknown[] = [
    resolution.amount.toString(),
    resolution.idempotencyKey,
    resolution.requestHash,
    JSON.stringify(resolution.metadata),
    resolution.actor,
    'holdId' in target ? target.holdId : null,
    resolution.kind,
  ];
  const sql =
    'nextExpired' in target
      ? RESOLUTIONS.next
      : target.onlyIfUnexpired
        ? RESOLUTIONS.unexpired
        : RESOLUTIONS.any;
  const { rows } = await db.query<TransferRecord>(sql, params);
  return rows[0] && toTransfer(rows[0]);
}

/** One capture of a batch: the hold, what it is charged, and its record. */
export interface CaptureEntry {
  holdId: string;
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  metadata: Record<string, unknown>;
  actor: string;
}

/*
 * Captures several holds of one wallet in one statement: each open, unexpired hold the batch names
 * (and that has at least the amount left) is taken from open_holds, the wallet and its revenue
 * shard are updated once by the sums, and one CAPTURE per hold is appended.
 */
const CAPTURE_HOLDS = `WITH req AS (
  SELECT * FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
    AS r(hold_id, amount, key, hash, metadata, actor)
), h AS (
  DELETE FROM open_holds o USING req, transfers t
  WHERE o.hold_id = req.hold_id AND o.wallet_id = $1 AND o.expires_at > ledger_now()
    AND t.id = o.hold_id AND t.amount - o.spent >= req.amount
  RETURNING o.hold_id, t.amount - o.spent AS held
), hd AS (
  SELECT h.hold_id, h.held, req.amount, req.key, req.hash, req.metadata, req.actor
  FROM h JOIN req ON req.hold_id = h.hold_id
), s AS (
  SELECT sum(held) AS held, sum(amount) AS amount FROM hd
), w AS (
  UPDATE accounts a SET
    debits_pending = a.debits_pending - s.held,
    debits_posted = a.debits_posted + s.amount,
    ${addToMonthSpend('s.amount', 'a.')}
  FROM s WHERE a.id = $1 AND s.held IS NOT NULL
  RETURNING a.id
), r AS (
  UPDATE accounts a SET
    credits_pending = a.credits_pending - s.held,
    credits_posted = a.credits_posted + s.amount
  FROM s WHERE a.id = $2 AND EXISTS (SELECT 1 FROM w)
  RETURNING a.id
)
INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, released,
  pending_id, idempotency_key, request_hash, metadata, created_by)
SELECT 'CAPTURE', $1, $1, $2, amount, held, hold_id, key, hash, metadata, actor FROM hd
RETURNING pending_id`;

/** Captures a batch of one wallet's holds; returns the ids of the holds it captured. */
export async function captureHolds(
  q: Queryable,
  walletId: string,
  batch: readonly CaptureEntry[],
): Promise<Set<string>> {
  const { rows } = await q.query<{ pending_id: string }>(CAPTURE_HOLDS, [
    walletId,
    revenueAccountFor(walletId),
    batch.map((r) => r.holdId),
    batch.map((r) => r.amount.toString()),
    batch.map((r) => r.idempotencyKey),
    batch.map((r) => r.requestHash),
    batch.map((r) => JSON.stringify(r.metadata)),
    batch.map((r) => r.actor),
  ]);
  return new Set(rows.map((r) => r.pending_id));
}

/** An open, unexpired hold, locked: its wallet and what it has left. */
export interface OpenHold {
  walletId: string;
  remaining: bigint;
}

/**
 * Locks an open, unexpired hold's row until the transaction ends and reads what it has left;
 * undefined when it is resolved or expired. Taken before the wallet's row, in the order the
 * resolving statements take them, so that a capture or spend beyond the hold and a void of it
 * wait for each other instead of deadlocking.
 */
export async function lockOpenHold(tx: Queryable, holdId: string): Promise<OpenHold | undefined> {
  const { rows } = await tx.query<{ wallet_id: string; remaining: string }>(
    `SELECT o.wallet_id, t.amount - o.spent AS remaining
     FROM open_holds o JOIN transfers t ON t.id = o.hold_id
     WHERE o.hold_id = $1 AND o.expires_at > ledger_now()
     FOR NO KEY UPDATE OF o`,
    [holdId],
  );
  const row = rows[0];
  return row && { walletId: row.wallet_id, remaining: BigInt(row.remaining) };
}
