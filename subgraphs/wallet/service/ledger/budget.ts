import { badUserInput } from '../../../../lib/errors.js';
import { upsertBudget } from '../../store/ledger-writes.js';
import type { LedgerCore } from './core.js';
import { checkThresholds } from './validation.js';

export interface BudgetInput {
  walletId: string;
  /** The most the wallet may be charged in a UTC month; null removes the budget. */
  monthlyLimit: bigint | null;
  /** Percentages of the limit at which spend is flagged. */
  alertThresholds: number[];
}

/** Sets or clears (null) a wallet's monthly budget and its alert thresholds (percent). */
export async function setBudget(core: LedgerCore, input: BudgetInput): Promise<void> {
  if (input.monthlyLimit !== null && input.monthlyLimit < 0n) {
    throw badUserInput('monthlyLimit must not be negative.', { field: 'monthlyLimit' });
  }
  const thresholds = checkThresholds(input.alertThresholds);
  await upsertBudget(core.db, input.walletId, input.monthlyLimit, thresholds);
}
