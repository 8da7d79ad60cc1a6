import type { Queryable } from '../../../lib/db/index.js';
import { fundingAccountFor, receivableAccountFor } from './accounts.js';
import {
  toTransfer,
  type FundingMetadata,
  type TransferRecord,
  type TransferRow,
} from './transfer-rows.js';

/*
 * The statements of debits: credits taken back out of a wallet to its funding shard (a purchase
 * refunded, a dispute lost), and the release of the dispute hold that reserved them. Lock order
 * as everywhere: the hold's open_holds row, the wallet, revenue, then funding and the receivable.
 */

/** A debit as the ledger answers it: the DEBIT and how it was paid. */
export interface DebitRow {
  /** The DEBIT transfer. */
  transaction: TransferRow;
  /** Taken from the balance (the DEBIT's amount). */
  debitedAmount: bigint;
  /** What the balance could not cover, recorded as owed. */
  owedAmount: bigint;
  /** What the dispute hold still reserved, released into the balance before the debit. */
  releasedAmount: bigint;
}

/** A DEBIT transfer as a DebitRow: it records its owed and released parts in its metadata. */
export const toDebit = (t: TransferRow): DebitRow => ({
  transaction: t,
  debitedAmount: t.amount,
  owedAmount: BigInt((t.metadata.owed as string | undefined) ?? 0),
  releasedAmount: BigInt((t.metadata.released as string | undefined) ?? 0),
});

/** An open hold, locked for release: what it has left and where its pending credit sits. */
export interface HoldToRelease {
  walletId: string;
  remaining: bigint;
  creditAccountId: string;
}

/**
 * Locks an open hold's row until the transaction ends, expired or not (a dispute hold past its
 * expiry that the sweeper has not reached still reserves its credits); undefined once resolved.
 */
export async function lockHoldToRelease(
  tx: Queryable,
  holdId: string,
): Promise<HoldToRelease | undefined> {
  const { rows } = await tx.query<{
    wallet_id: string;
    remaining: string;
    credit_account_id: string;
  }>(
    `SELECT o.wallet_id, t.amount - o.spent AS remaining, t.credit_account_id
     FROM open_holds o JOIN transfers t ON t.id = o.hold_id
     WHERE o.hold_id = $1
     FOR NO KEY UPDATE OF o`,
    [holdId],
  );
  const row = rows[0];
  return (
    row && {
      walletId: row.wallet_id,
      remaining: BigInt(row.remaining),
      creditAccountId: row.credit_account_id,
    }
  );
}

/**
 * Resolves a locked hold by a VOID that releases what it had left, except on the wallet's row:
 * the debit that follows in the transaction moves the wallet's pending and posted figures in one
 * update, so that its available balance changes once (one low-balance crossing at most).
 */
export async function voidHoldForDebit(
  tx: Queryable,
  input: { holdId: string; hold: HoldToRelease; actor: string },
): Promise<void> {
  const { hold } = input;
  await tx.query(
    `WITH o AS (DELETE FROM open_holds WHERE hold_id = $1 RETURNING hold_id),
     r AS (
       UPDATE accounts SET credits_pending = credits_pending - $4
       WHERE id = $3 AND EXISTS (SELECT 1 FROM o)
     )
     INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, released,
       pending_id, created_by)
     SELECT 'VOID', $2, $2, $3, 0, $4, hold_id, $5 FROM o`,
    [input.holdId, hold.walletId, hold.creditAccountId, hold.remaining.toString(), input.actor],
  );
}

export interface DebitEntry {
  walletId: string;
  /** The dispute hold released first, if any (the DEBIT names it). */
  holdId: string | null;
  /** What the hold released (its pending debit and dispute_held go down by it). */
  released: bigint;
  /** Taken from the available balance (the DEBIT's amount). */
  taken: bigint;
  /** Recorded as owed (OWED naming the DEBIT: debit the receivable, credit funding). */
  owed: bigint;
  idempotencyKey: string;
  requestHash: string;
  memo: string | null;
  metadata: FundingMetadata;
  actor: string;
}

/*
 * One statement: the wallet's row once (the release, the debit and what it owes), the funding
 * shard credited with the whole debit, the receivable debited with the owed part, the DEBIT, and
 * the OWED naming it when something is owed.
 */
const DEBIT = `WITH w AS (
  UPDATE accounts SET debits_pending = debits_pending - $3, dispute_held = dispute_held - $3,
    debits_posted = debits_posted + $4, owed = owed + $5
  WHERE id = $1 AND kind = 'WALLET'
  RETURNING id
), f AS (
  UPDATE accounts SET credits_posted = credits_posted + $4 + $5
  WHERE id = $6 AND EXISTS (SELECT 1 FROM w)
  RETURNING id
), r AS (
  UPDATE accounts SET debits_posted = debits_posted + $5
  WHERE id = $7 AND $5::bigint > 0 AND EXISTS (SELECT 1 FROM f)
), d AS (
  INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, pending_id,
    idempotency_key, request_hash, memo, metadata, created_by)
  SELECT 'DEBIT', $1, $1, $6, $4, $2, $8, $9, $10, $11, $12 FROM w
  RETURNING *
), o AS (
  INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, pending_id,
    created_by)
  SELECT 'OWED', $1, $7, $6, $5, d.id, $12 FROM d WHERE $5::bigint > 0
)
SELECT * FROM d`;

/** Writes a debit whose wallet (and hold, if any) the transaction has locked; returns it. */
export async function insertDebit(tx: Queryable, entry: DebitEntry): Promise<DebitRow> {
  const { rows } = await tx.query<TransferRecord>(DEBIT, [
    entry.walletId,
    entry.holdId,
    entry.released.toString(),
    entry.taken.toString(),
    entry.owed.toString(),
    fundingAccountFor(entry.walletId),
    receivableAccountFor(entry.walletId),
    entry.idempotencyKey,
    entry.requestHash,
    entry.memo,
    JSON.stringify({
      ...entry.metadata,
      owed: entry.owed.toString(),
      released: entry.released.toString(),
    }),
    entry.actor,
  ]);
  return toDebit(toTransfer(rows[0] as TransferRecord));
}
