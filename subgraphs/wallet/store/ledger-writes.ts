import type { Queryable } from '../../../lib/db/index.js';
import { fundingAccountFor, revenueAccountFor } from './accounts.js';
import { THIS_MONTH } from './account-figures.js';
import {
  toTransfer,
  type FundingMetadata,
  type TransferKind,
  type TransferRecord,
  type TransferRow,
} from './transfer-rows.js';

/*
 * The statements of grants, refunds and budgets, and the lookups their rules need. Each takes the
 * Queryable to run on: the pool, or the transaction of the operation that calls it.
 */

/** The transfer a wallet made of `kind` under an idempotency key, if any. */
export async function transferByKey(
  q: Queryable,
  walletId: string,
  kind: TransferKind,
  key: string,
): Promise<TransferRow | undefined> {
  const { rows } = await q.query<TransferRecord>(
    'SELECT * FROM transfers WHERE wallet_id = $1 AND kind = $2 AND idempotency_key = $3',
    [walletId, kind, key],
  );
  return rows[0] && toTransfer(rows[0]);
}

/** Opens a wallet's account if it has none (a team's first credits). */
export async function ensureWalletAccount(q: Queryable, walletId: string): Promise<void> {
  await q.query(
    `INSERT INTO accounts (id, kind) VALUES ($1, 'WALLET') ON CONFLICT (id) DO NOTHING`,
    [walletId],
  );
}

export interface GrantEntry {
  walletId: string;
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  memo: string | null;
  /** The payment the credits came from, for reconciliation ({} without one). */
  metadata: FundingMetadata;
  actor: string;
}

/** A GRANT as written, with what its wallet owed when it was (read under the row's lock). */
export interface InsertedGrant {
  transfer: TransferRow;
  walletOwed: bigint;
}

/**
 * Credits a wallet from its funding shard and appends the GRANT, in one statement; undefined when
 * the wallet has no account yet (the caller opens it and tries again), so a wallet that has one,
 * nearly every grant, pays no separate upsert.
 */
export async function insertGrant(
  q: Queryable,
  grant: GrantEntry,
): Promise<InsertedGrant | undefined> {
  const { rows } = await q.query<TransferRecord & { wallet_owed: string }>(
    `WITH w AS (
       UPDATE accounts SET credits_posted = credits_posted + $3 WHERE id = $1 RETURNING id, owed
     ), f AS (
       UPDATE accounts SET debits_posted = debits_posted + $3
       WHERE id = $2 AND EXISTS (SELECT 1 FROM w) RETURNING id
     )
     INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
       idempotency_key, request_hash, memo, created_by, metadata)
     SELECT 'GRANT', $1, $2, $1, $3, $4, $5, $6, $7, $8 FROM w
     RETURNING *, (SELECT owed FROM w) AS wallet_owed`,
    [
      grant.walletId,
      fundingAccountFor(grant.walletId),
      grant.amount.toString(),
      grant.idempotencyKey,
      grant.requestHash,
      grant.memo,
      grant.actor,
      JSON.stringify(grant.metadata),
    ],
  );
  const row = rows[0];
  return row && { transfer: toTransfer(row), walletOwed: BigInt(row.wallet_owed) };
}

/** What a wallet owes (0 for a wallet with no account). */
export async function owedBy(q: Queryable, walletId: string): Promise<bigint> {
  const { rows } = await q.query<{ owed: string }>('SELECT owed FROM accounts WHERE id = $1', [
    walletId,
  ]);
  return BigInt(rows[0]?.owed ?? 0);
}

/** A CAPTURE, its row locked until the transaction ends: refunds of one capture run in turn. */
export async function lockCapture(
  tx: Queryable,
  captureId: string,
): Promise<TransferRow | undefined> {
  const { rows } = await tx.query<TransferRecord>(
    `SELECT * FROM transfers WHERE id = $1 AND kind = 'CAPTURE' FOR NO KEY UPDATE`,
    [captureId],
  );
  return rows[0] && toTransfer(rows[0]);
}

/** What was refunded of a capture so far (read after its lock, so no refund is missed). */
export async function refundedOf(tx: Queryable, captureId: string): Promise<bigint> {
  const { rows } = await tx.query<{ refunded: string }>(
    `SELECT coalesce(sum(amount), 0) AS refunded FROM transfers WHERE pending_id = $1 AND kind = 'REFUND'`,
    [captureId],
  );
  return BigInt(rows[0]?.refunded ?? 0);
}

export interface RefundEntry {
  capture: TransferRow;
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  memo: string | null;
  actor: string;
}

/** Gives `amount` of a capture back: wallet credited (and its month's spend), revenue debited. */
export async function insertRefund(tx: Queryable, refund: RefundEntry): Promise<TransferRow> {
  const { walletId } = refund.capture;
  const amount = refund.amount.toString();
  const revenue = revenueAccountFor(walletId);
  await tx.query(
    `UPDATE accounts SET credits_posted = credits_posted + $2,
       month_spend = CASE WHEN spend_month = ${THIS_MONTH}
                          THEN greatest(month_spend - $2, 0) ELSE month_spend END
     WHERE id = $1`,
    [walletId, amount],
  );
  await tx.query('UPDATE accounts SET debits_posted = debits_posted + $2 WHERE id = $1', [
    revenue,
    amount,
  ]);
  const inserted = await tx.query<TransferRecord>(
    `INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
       pending_id, idempotency_key, request_hash, memo, created_by)
     VALUES ('REFUND', $1, $2, $1, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      walletId,
      revenue,
      amount,
      refund.capture.id,
      refund.idempotencyKey,
      refund.requestHash,
      refund.memo,
      refund.actor,
    ],
  );
  return toTransfer(inserted.rows[0] as TransferRecord);
}

/** Sets a wallet's budget and alert thresholds, opening its account if needed. */
export async function upsertBudget(
  q: Queryable,
  walletId: string,
  monthlyLimit: bigint | null,
  thresholds: number[],
): Promise<void> {
  await q.query(
    `INSERT INTO accounts (id, kind, budget_limit, alert_thresholds) VALUES ($1, 'WALLET', $2, $3)
     ON CONFLICT (id) DO UPDATE SET budget_limit = EXCLUDED.budget_limit,
       alert_thresholds = EXCLUDED.alert_thresholds`,
    [walletId, monthlyLimit?.toString() ?? null, thresholds],
  );
}
