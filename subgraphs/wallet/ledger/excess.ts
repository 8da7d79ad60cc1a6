import type { Queryable } from '../../../lib/db/index.js';
import { receivableAccountFor, revenueAccountFor } from './accounts.js';

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const atLeastZero = (a: bigint) => (a > 0n ? a : 0n);

/** How an excess is paid: `taken` from the available balance, `owed` for the rest. */
export interface ExcessSplit {
  taken: bigint;
  owed: bigint;
}

/**
 * How much of `excess` the wallet's available balance covers. Locks the wallet's row first, as
 * every operation does, so the capture and the charge that follow in the transaction see this
 * figure; capturing the hold itself leaves it unchanged (the held amount moves from pending to
 * posted).
 */
export async function splitExcess(
  tx: Queryable,
  walletId: string,
  excess: bigint,
): Promise<ExcessSplit> {
  const { rows } = await tx.query<{ room: string }>(
    `SELECT credits_posted - debits_posted - debits_pending - owed AS room
     FROM accounts WHERE id = $1 AND kind = 'WALLET' FOR NO KEY UPDATE`,
    [walletId],
  );
  const taken = min(excess, atLeastZero(BigInt(rows[0]?.room ?? 0)));
  return { taken, owed: excess - taken };
}

/**
 * Charges what a call cost beyond its hold, in the transaction that captured the hold (an
 * incremental authorization after the fact, as card networks do): what the wallet's available
 * balance covers is posted to revenue (EXCESS); the rest is recorded as owed (OWED: debit the
 * receivable, credit revenue), so revenue is whole, the wallet never goes below zero and nothing
 * is lost. Owed credits count as spent this month and are paid from the wallet's next credits.
 */
export async function chargeExcess(
  tx: Queryable,
  input: {
    walletId: string;
    holdId: string;
    split: ExcessSplit;
    metadata: Record<string, unknown>;
    actor: string;
  },
): Promise<void> {
  const { walletId } = input;
  const { taken, owed } = input.split;
  const excess = taken + owed;
  await tx.query(
    `UPDATE accounts SET debits_posted = debits_posted + $2, owed = owed + $3,
       month_spend = CASE WHEN spend_month = date_trunc('month', ledger_now())::date
                          THEN month_spend + $4 ELSE $4 END,
       spend_month = date_trunc('month', ledger_now())::date
     WHERE id = $1`,
    [walletId, taken.toString(), owed.toString(), excess.toString()],
  );
  // Lock order as everywhere: the wallet, then revenue, then the receivable.
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
        input.holdId,
        JSON.stringify(input.metadata),
        input.actor,
      ],
    );
  }
}

/**
 * Pays what a wallet owes from its available balance (REPAY: debit the wallet, credit the
 * receivable), after credits arrived by `paidBy` (a GRANT or REFUND). Returns what was paid.
 */
export async function repayOwed(
  tx: Queryable,
  input: { walletId: string; paidBy: string; actor: string },
): Promise<bigint> {
  const { rows } = await tx.query<{ owed: string; room: string }>(
    `SELECT owed, credits_posted - debits_posted - debits_pending AS room
     FROM accounts WHERE id = $1 AND kind = 'WALLET' FOR NO KEY UPDATE`,
    [input.walletId],
  );
  const row = rows[0];
  if (!row) return 0n;
  const paid = min(BigInt(row.owed), atLeastZero(BigInt(row.room)));
  if (paid === 0n) return 0n;
  const receivable = receivableAccountFor(input.walletId);
  await tx.query(
    'UPDATE accounts SET debits_posted = debits_posted + $2, owed = owed - $2 WHERE id = $1',
    [input.walletId, paid.toString()],
  );
  await tx.query('UPDATE accounts SET credits_posted = credits_posted + $2 WHERE id = $1', [
    receivable,
    paid.toString(),
  ]);
  await tx.query(
    `INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
       pending_id, created_by)
     VALUES ('REPAY', $1, $1, $2, $3, $4, $5)`,
    [input.walletId, receivable, paid.toString(), input.paidBy, input.actor],
  );
  return paid;
}
