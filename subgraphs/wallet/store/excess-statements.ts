import type { Queryable } from '../../../lib/db/index.js';
import { receivableAccountFor, revenueAccountFor } from './accounts.js';
import { addToMonthSpend, AVAILABLE } from './account-figures.js';

/*
 * The statements of charges beyond a hold (EXCESS, OWED) and of paying what is owed (REPAY).
 * Lock order as everywhere: the wallet, then revenue, then the receivable.
 */

/** Locks a wallet's row and reads its available balance (0 for a wallet with no account). */
export async function lockAvailable(tx: Queryable, walletId: string): Promise<bigint> {
  const { rows } = await tx.query<{ room: string }>(
    `SELECT ${AVAILABLE} AS room FROM accounts WHERE id = $1 AND kind = 'WALLET' FOR NO KEY UPDATE`,
    [walletId],
  );
  return BigInt(rows[0]?.room ?? 0);
}

export interface ExcessEntry {
  walletId: string;
  /** What the excess is of: the hold a capture resolved, or the SPEND. */
  pendingId: string;
  /** Taken from the available balance (EXCESS). */
  taken: bigint;
  /** Recorded as owed (OWED: debit the receivable). */
  owed: bigint;
  metadata: Record<string, unknown>;
  actor: string;
}

/** Posts an excess: the wallet pays `taken` and owes `owed`, revenue receives both. */
export async function insertExcess(tx: Queryable, entry: ExcessEntry): Promise<void> {
  const { walletId, taken, owed } = entry;
  const excess = taken + owed;
  await tx.query(
    `UPDATE accounts SET debits_posted = debits_posted + $2, owed = owed + $3,
       ${addToMonthSpend('$4')}
     WHERE id = $1`,
    [walletId, taken.toString(), owed.toString(), excess.toString()],
  );
  const revenue = revenueAccountFor(walletId);
  await tx.query('UPDATE accounts SET credits_posted = credits_posted + $2 WHERE id = $1', [
    revenue,
    excess.toString(),
  ]);
  const receivable = receivableAccountFor(walletId);
  if (owed > 0n) {
    await tx.query('UPDATE accounts SET debits_posted = debits_posted + $2 WHERE id = $1', [
      receivable,
      owed.toString(),
    ]);
  }
  const entries: Array<[kind: 'EXCESS' | 'OWED', debit: string, amount: bigint]> = [
    ['EXCESS', walletId, taken],
    ['OWED', receivable, owed],
  ];
  for (const [kind, debit, amount] of entries) {
    if (amount === 0n) continue;
    await tx.query(
      `INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
         pending_id, metadata, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        kind,
        walletId,
        debit,
        revenue,
        amount.toString(),
        entry.pendingId,
        JSON.stringify(entry.metadata),
        entry.actor,
      ],
    );
  }
}

/**
 * Locks a wallet's row and reads what it owes and what its balance could pay (available before
 * the debt); undefined for a wallet with no account.
 */
export async function lockOwed(
  tx: Queryable,
  walletId: string,
): Promise<{ owed: bigint; room: bigint } | undefined> {
  const { rows } = await tx.query<{ owed: string; room: string }>(
    `SELECT owed, credits_posted - debits_posted - debits_pending AS room
     FROM accounts WHERE id = $1 AND kind = 'WALLET' FOR NO KEY UPDATE`,
    [walletId],
  );
  const row = rows[0];
  return row && { owed: BigInt(row.owed), room: BigInt(row.room) };
}

/** Pays `paid` of what a wallet owes (REPAY: debit the wallet, credit the receivable). */
export async function insertRepay(
  tx: Queryable,
  input: { walletId: string; paid: bigint; paidBy: string; actor: string },
): Promise<void> {
  const paid = input.paid.toString();
  const receivable = receivableAccountFor(input.walletId);
  await tx.query(
    'UPDATE accounts SET debits_posted = debits_posted + $2, owed = owed - $2 WHERE id = $1',
    [input.walletId, paid],
  );
  await tx.query('UPDATE accounts SET credits_posted = credits_posted + $2 WHERE id = $1', [
    receivable,
    paid,
  ]);
  await tx.query(
    `INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
       pending_id, created_by)
     VALUES ('REPAY', $1, $1, $2, $3, $4, $5)`,
    [input.walletId, receivable, paid, input.paidBy, input.actor],
  );
}
