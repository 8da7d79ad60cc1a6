import type { BudgetResolvers } from '../generated/resolvers-types.js';

/** A wallet's budget: the wallet's row, read as its monthly limit and what is left of it. */
export const Budget: BudgetResolvers = {
  monthlyLimit: (w) => w.budgetLimit ?? 0n,
  monthToDateSpend: (w) => w.monthToDateSpend,
  // Dispute holds are not usage: the budget counts only holds of calls.
  held: (w) => w.held - w.disputeHeld,
  remaining: (w) => {
    const left = (w.budgetLimit ?? 0n) - w.monthToDateSpend - (w.held - w.disputeHeld);
    return left > 0n ? left : 0n;
  },
  alertThresholds: (w) => w.alertThresholds,
  alertsReached: (w) =>
    w.alertThresholds.filter(
      (t) =>
        (w.budgetLimit ?? 0n) > 0n &&
        w.monthToDateSpend * 100n >= (w.budgetLimit ?? 0n) * BigInt(t),
    ),
};
