import type { Queryable } from '../../../../lib/db/index.js';
import {
  insertExcess,
  insertRepay,
  lockAvailable,
  lockOwed,
} from '../../store/excess-statements.js';

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const atLeastZero = (a: bigint) => (a > 0n ? a : 0n);

/** How an excess is paid: `taken` from the available balance, `owed` for the rest. */
export interface ExcessSplit {
  taken: bigint;
  owed: bigint;
}

/**
 * How much of `excess` the wallet's available balance covers. Locks the wallet's row (after the
 * hold's, as every operation does), so the capture or spend and the charge that follow in the
 * transaction see this figure; charging the hold itself leaves it unchanged (the held amount
 * moves from pending to posted).
 */
export async function splitExcess(
  tx: Queryable,
  walletId: string,
  excess: bigint,
): Promise<ExcessSplit> {
  const taken = min(excess, atLeastZero(await lockAvailable(tx, walletId)));
  return { taken, owed: excess - taken };
}

/**
 * Charges what a call cost beyond its hold, in the transaction that captured or spent from the
 * hold (an incremental authorization after the fact, as card networks do): what the wallet's
 * available balance covers is posted to revenue (EXCESS); the rest is recorded as owed (OWED:
 * debit the receivable, credit revenue), so revenue is whole, the wallet never goes below zero and
 * nothing is lost. Owed credits count as spent this month and are paid from the wallet's next
 * credits.
 */
export async function chargeExcess(
  tx: Queryable,
  input: {
    walletId: string;
    /** What the excess is of: the hold a capture resolved, or the SPEND. */
    pendingId: string;
    split: ExcessSplit;
    metadata: Record<string, unknown>;
    actor: string;
  },
): Promise<void> {
  await insertExcess(tx, { ...input, ...input.split });
}

/**
 * Pays what a wallet owes from its available balance (REPAY: debit the wallet, credit the
 * receivable), after credits arrived by `paidBy` (a GRANT or REFUND). Returns what was paid.
 */
export async function repayOwed(
  tx: Queryable,
  input: { walletId: string; paidBy: string; actor: string },
): Promise<bigint> {
  const account = await lockOwed(tx, input.walletId);
  if (!account) return 0n;
  const paid = min(account.owed, atLeastZero(account.room));
  if (paid === 0n) return 0n;
  await insertRepay(tx, { ...input, paid });
  return paid;
}
