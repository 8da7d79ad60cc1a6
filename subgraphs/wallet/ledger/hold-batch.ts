import type { Db } from '../../../lib/db/index.js';
import { revenueAccountFor } from './accounts.js';
import { oneByOne } from './keyed-batcher.js';
import { uniqueViolation } from './ledger-errors.js';
import type { HoldMetadata, HoldRow } from './transfer-rows.js';

/** One queued authorizeHold: its parameters, and its own single-statement path. */
export interface HoldRequest {
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  expiresInSeconds: number;
  metadata: HoldMetadata;
  actor: string;
  single: () => Promise<HoldRow>;
}

interface WalletRoom {
  available: string;
  budget_room: string | null;
}

/**
 * Authorizes several holds on one wallet in one transaction (group commit): the wallet's row is
 * locked, its room read, the requests that fit taken in arrival order, and all of them written by
 * one statement. Whatever does not fit, or any surprise (a key used before), goes through each
 * request's own single-statement path, which also explains refusals.
 */
export async function authorizeHoldBatch(db: Db, walletId: string, batch: HoldRequest[]) {
  const keys = new Set(batch.map((r) => r.idempotencyKey));
  if (batch.length === 1 || keys.size !== batch.length) return oneByOne(batch);

  let accepted: HoldRequest[] = [];
  let written: Array<{ id: string; idempotency_key: string; expires_at: Date; created_at: Date }>;
  try {
    written = await db.transaction(async (tx) => {
      const { rows } = await tx.query<WalletRoom>(
        `SELECT credits_posted - debits_posted - debits_pending - owed AS available,
           budget_limit - debits_pending - CASE WHEN spend_month = date_trunc('month', ledger_now())::date
             THEN month_spend ELSE 0 END AS budget_room
         FROM accounts WHERE id = $1 AND kind = 'WALLET' FOR NO KEY UPDATE`,
        [walletId],
      );
      const room = rows[0];
      if (!room) return [];
      let available = BigInt(room.available);
      let budget = room.budget_room === null ? null : BigInt(room.budget_room);
      accepted = batch.filter((r) => {
        if (r.amount > available || (budget !== null && r.amount > budget)) return false;
        available -= r.amount;
        if (budget !== null) budget -= r.amount;
        return true;
      });
      if (accepted.length === 0) return [];
      const total = accepted.reduce((sum, r) => sum + r.amount, 0n);
      const revenue = revenueAccountFor(walletId);
      const result = await tx.query<{
        id: string;
        idempotency_key: string;
        expires_at: Date;
        created_at: Date;
      }>(
        `WITH req AS (
           SELECT * FROM unnest($4::bigint[], $5::int[], $6::text[], $7::text[], $8::jsonb[], $9::text[])
             AS r(amount, expires, key, hash, metadata, actor)
         ), w AS (
           UPDATE accounts SET debits_pending = debits_pending + $3 WHERE id = $1 RETURNING id
         ), r AS (
           UPDATE accounts SET credits_pending = credits_pending + $3
           WHERE id = $2 AND EXISTS (SELECT 1 FROM w) RETURNING id
         ), t AS (
           INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
             expires_at, idempotency_key, request_hash, metadata, created_by)
           SELECT 'HOLD', $1, $1, $2, amount, ledger_now() + make_interval(secs => expires), key, hash,
             metadata, actor
           FROM req, w
           RETURNING id, wallet_id, idempotency_key, expires_at, created_at
         ), o AS (
           INSERT INTO open_holds (hold_id, wallet_id, expires_at) SELECT id, wallet_id, expires_at FROM t
         )
         SELECT id, idempotency_key, expires_at, created_at FROM t`,
        [
          walletId,
          revenue,
          total.toString(),
          accepted.map((r) => r.amount.toString()),
          accepted.map((r) => r.expiresInSeconds),
          accepted.map((r) => r.idempotencyKey),
          accepted.map((r) => r.requestHash),
          accepted.map((r) => JSON.stringify(r.metadata)),
          accepted.map((r) => r.actor),
        ],
      );
      return result.rows;
    });
  } catch (error) {
    // A key applied before (or by another replica meanwhile): nothing was written; go one by one.
    if (uniqueViolation(error) === 'transfers_idempotency_key') return oneByOne(batch);
    throw error;
  }

  const byKey = new Map(written.map((w) => [w.idempotency_key, w]));
  const results: Array<HoldRow | Error> = [];
  for (const req of batch) {
    const row = byKey.get(req.idempotencyKey);
    if (row) {
      results.push({
        id: row.id,
        walletId,
        amount: req.amount,
        status: 'PENDING',
        capturedAmount: null,
        excessAmount: null,
        owedAmount: null,
        expiresAt: row.expires_at,
        createdAt: row.created_at,
        resolvedAt: null,
        metadata: req.metadata,
        idempotencyKey: req.idempotencyKey,
      });
    } else {
      results.push(...(await oneByOne([req])));
    }
  }
  return results;
}
