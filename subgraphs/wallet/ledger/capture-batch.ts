import type { Db } from '../../../lib/db/index.js';
import { revenueAccountFor } from './accounts.js';
import { oneByOne } from './keyed-batcher.js';
import { uniqueViolation } from './ledger-errors.js';
import type { LedgerReads } from './ledger-reads.js';
import type { HoldRow } from './transfer-rows.js';

/** One queued captureHold, already checked against its hold, with its own single path. */
export interface CaptureRequest {
  holdId: string;
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  metadata: Record<string, unknown>;
  actor: string;
  single: () => Promise<HoldRow>;
}

/**
 * Captures several holds of one wallet in one statement (group commit): each open, unexpired hold
 * in the batch is taken from open_holds, the wallet and its revenue shard are updated once by the
 * sums, and one CAPTURE per hold is appended. A hold the statement could not take (resolved,
 * expired) or any surprise goes through its request's own path, which explains the refusal.
 */
export async function captureHoldBatch(
  db: Db,
  reads: LedgerReads,
  walletId: string,
  batch: CaptureRequest[],
) {
  const distinct =
    new Set(batch.map((r) => r.holdId)).size === batch.length &&
    new Set(batch.map((r) => r.idempotencyKey)).size === batch.length;
  if (batch.length === 1 || !distinct) return oneByOne(batch);

  let captured: Set<string>;
  try {
    const { rows } = await db.query<{ pending_id: string }>(
      `WITH req AS (
         SELECT * FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
           AS r(hold_id, amount, key, hash, metadata, actor)
       ), h AS (
         DELETE FROM open_holds o USING req
         WHERE o.hold_id = req.hold_id AND o.wallet_id = $1 AND o.expires_at > ledger_now()
           AND EXISTS (SELECT 1 FROM transfers t WHERE t.id = o.hold_id AND t.amount >= req.amount)
         RETURNING o.hold_id
       ), hd AS (
         SELECT t.id AS hold_id, t.amount AS held, req.amount, req.key, req.hash, req.metadata, req.actor
         FROM h JOIN transfers t ON t.id = h.hold_id JOIN req ON req.hold_id = h.hold_id
       ), s AS (
         SELECT sum(held) AS held, sum(amount) AS amount FROM hd
       ), w AS (
         UPDATE accounts a SET
           debits_pending = a.debits_pending - s.held,
           debits_posted = a.debits_posted + s.amount,
           month_spend = CASE WHEN a.spend_month = date_trunc('month', ledger_now())::date
                              THEN a.month_spend + s.amount ELSE s.amount END,
           spend_month = date_trunc('month', ledger_now())::date
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
       RETURNING pending_id`,
      [
        walletId,
        revenueAccountFor(walletId),
        batch.map((r) => r.holdId),
        batch.map((r) => r.amount.toString()),
        batch.map((r) => r.idempotencyKey),
        batch.map((r) => r.requestHash),
        batch.map((r) => JSON.stringify(r.metadata)),
        batch.map((r) => r.actor),
      ],
    );
    captured = new Set(rows.map((r) => r.pending_id));
  } catch (error) {
    if (uniqueViolation(error) === 'transfers_idempotency_key') return oneByOne(batch);
    throw error;
  }

  const holds = new Map((await reads.holdsByIds([...captured])).map((h) => [h.id, h]));
  const results: Array<HoldRow | Error> = [];
  for (const req of batch) {
    const hold = holds.get(req.holdId);
    if (hold) results.push(hold);
    else results.push(...(await oneByOne([req])));
  }
  return results;
}
