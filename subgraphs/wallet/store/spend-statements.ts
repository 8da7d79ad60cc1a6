import type { Queryable } from '../../../lib/db/index.js';
import { revenueAccountFor } from './accounts.js';
import { addToMonthSpend } from './account-figures.js';
import type { CaptureEntry } from './hold-resolution.js';
import { toTransfer, type TransferRecord, type TransferRow } from './transfer-rows.js';

/*
 * The statements of spends: charges against a hold that leave it open with less left (SPEND).
 * Lock order as everywhere: the hold's open_holds row, then the wallet, then revenue.
 */

/** One spend: what it charges against which hold, and its record (a capture's fields). */
export type SpendEntry = CaptureEntry;

/*
 * Spends that fit their holds, in one statement (group commit):
 *   1. lock the open, unexpired holds the batch names, in id order (so that two batches cannot
 *      deadlock), and read what each has left from the row as locked;
 *   2. per hold, take the spends in arrival order while their running total fits what is left;
 *   3. add them to each hold's `spent`; move the sums from pending to posted on the wallet (and
 *      its month's spend) and on the revenue shard;
 *   4. append one SPEND per spend taken.
 * A spend not taken (its hold resolved, expired, unknown, a dispute hold, or too small for it)
 * writes nothing here. A key used before makes the whole statement fail on the unique index.
 */
const SPEND_WITHIN_HOLDS = `WITH req AS (
  SELECT r.*, sum(r.amount) OVER (PARTITION BY r.hold_id ORDER BY r.ord) AS upto
  FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
    WITH ORDINALITY AS r(hold_id, amount, key, hash, metadata, actor, ord)
), locked AS MATERIALIZED (
  SELECT o.hold_id, o.wallet_id, t.credit_account_id, t.amount - o.spent AS remaining
  FROM open_holds o JOIN transfers t ON t.id = o.hold_id
  WHERE o.hold_id IN (SELECT hold_id FROM req) AND o.expires_at > ledger_now()
    AND t.metadata->>'purpose' IS DISTINCT FROM 'DISPUTE'
  ORDER BY o.hold_id
  FOR NO KEY UPDATE OF o
), fit AS MATERIALIZED (
  SELECT req.*, l.wallet_id, l.credit_account_id
  FROM req JOIN locked l ON l.hold_id = req.hold_id
  WHERE req.upto <= l.remaining
), per_hold AS (
  SELECT hold_id, sum(amount) AS amount FROM fit GROUP BY hold_id
), o AS (
  UPDATE open_holds o SET spent = o.spent + p.amount
  FROM per_hold p WHERE o.hold_id = p.hold_id
  RETURNING o.hold_id
), s AS (
  SELECT wallet_id, credit_account_id, sum(amount) AS amount
  FROM fit GROUP BY wallet_id, credit_account_id
), w AS (
  UPDATE accounts a SET
    debits_pending = a.debits_pending - s.amount,
    debits_posted = a.debits_posted + s.amount,
    ${addToMonthSpend('s.amount', 'a.')}
  FROM s WHERE a.id = s.wallet_id
  RETURNING a.id
), r AS (
  UPDATE accounts a SET
    credits_pending = a.credits_pending - s.amount,
    credits_posted = a.credits_posted + s.amount
  FROM s WHERE a.id = s.credit_account_id AND EXISTS (SELECT 1 FROM w)
  RETURNING a.id
)
INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, pending_id,
  idempotency_key, request_hash, metadata, created_by)
SELECT 'SPEND', wallet_id, wallet_id, credit_account_id, amount, hold_id, key, hash, metadata, actor
FROM fit ORDER BY ord
RETURNING *`;

/** Charges the spends that fit their open holds (see above); returns the SPENDs written. */
export async function spendWithinHolds(
  q: Queryable,
  batch: readonly SpendEntry[],
): Promise<TransferRow[]> {
  const { rows } = await q.query<TransferRecord>(SPEND_WITHIN_HOLDS, [
    batch.map((r) => r.holdId),
    batch.map((r) => r.amount.toString()),
    batch.map((r) => r.idempotencyKey),
    batch.map((r) => r.requestHash),
    batch.map((r) => JSON.stringify(r.metadata)),
    batch.map((r) => r.actor),
  ]);
  return rows.map(toTransfer);
}

/** The wallet a hold belongs to, open or not, and whether it is a dispute hold; undefined: none. */
export async function ownerOfHold(
  q: Queryable,
  holdId: string,
): Promise<{ walletId: string; dispute: boolean } | undefined> {
  const { rows } = await q.query<{ wallet_id: string; dispute: boolean }>(
    `SELECT wallet_id, metadata->>'purpose' IS NOT DISTINCT FROM 'DISPUTE' AS dispute
     FROM transfers WHERE id = $1 AND kind = 'HOLD'`,
    [holdId],
  );
  const row = rows[0];
  return row && { walletId: row.wallet_id, dispute: row.dispute };
}

/**
 * Writes one SPEND of `fromHold` against a hold whose row (when it is open) and wallet the
 * transaction has locked: that much moves from pending to posted and is added to the hold's
 * `spent`. `fromHold` 0 records a spend that went wholly beyond the hold.
 */
export async function insertSpend(
  tx: Queryable,
  entry: SpendEntry & { walletId: string; fromHold: bigint },
): Promise<TransferRow> {
  const { walletId } = entry;
  const revenue = revenueAccountFor(walletId);
  const { rows } = await tx.query<TransferRecord>(
    `WITH o AS (
       UPDATE open_holds SET spent = spent + $3 WHERE hold_id = $2 AND $3 > 0 RETURNING hold_id
     ), w AS (
       UPDATE accounts SET debits_pending = debits_pending - $3, debits_posted = debits_posted + $3,
         ${addToMonthSpend('$3')}
       WHERE id = $1 AND EXISTS (SELECT 1 FROM o)
       RETURNING id
     ), r AS (
       UPDATE accounts SET credits_pending = credits_pending - $3, credits_posted = credits_posted + $3
       WHERE id = $4 AND EXISTS (SELECT 1 FROM w)
     )
     INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
       pending_id, idempotency_key, request_hash, metadata, created_by)
     VALUES ('SPEND', $1, $1, $4, $3, $2, $5, $6, $7, $8)
     RETURNING *`,
    [
      walletId,
      entry.holdId,
      entry.fromHold.toString(),
      revenue,
      entry.idempotencyKey,
      entry.requestHash,
      JSON.stringify(entry.metadata),
      entry.actor,
    ],
  );
  return toTransfer(rows[0] as TransferRecord);
}

/** The SPEND the wallet of `holdId` made under an idempotency key, if any. */
export async function spendByKey(
  q: Queryable,
  holdId: string,
  key: string,
): Promise<TransferRow | undefined> {
  const { rows } = await q.query<TransferRecord>(
    `SELECT s.* FROM transfers s
     WHERE s.kind = 'SPEND' AND s.idempotency_key = $2
       AND s.wallet_id = (SELECT wallet_id FROM transfers WHERE id = $1 AND kind = 'HOLD')`,
    [holdId, key],
  );
  return rows[0] && toTransfer(rows[0]);
}
