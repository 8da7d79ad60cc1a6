import { badUserInput } from '../../../../lib/errors.js';
import { upsertLowBalanceThreshold, upsertSuspension } from '../../store/wallet-settings.js';
import type { LedgerCore } from './core.js';
import { checkAmount, checkMemo } from './validation.js';

/**
 * Suspends or reinstates a wallet. While suspended it takes no new holds for calls
 * (WALLET_SUSPENDED); spends and captures of calls already served, grants, debits and dispute
 * holds go on. The reason (at most 500 characters) is shown to callers refused; reinstating
 * clears it.
 */
export async function setSuspended(
  core: LedgerCore,
  input: { walletId: string; suspended: boolean; reason?: string | null },
): Promise<void> {
  let reason: string | null;
  try {
    reason = checkMemo(input.reason);
  } catch {
    throw badUserInput('reason must be at most 500 characters.', { field: 'reason' });
  }
  await upsertSuspension(core.db, input.walletId, input.suspended, reason);
}

/**
 * Sets (1 µcr or more) or clears (null) the wallet's low-balance threshold: from then on, every
 * ledger write that takes its available balance from at least the threshold to below it records
 * one crossing (balance_crossings), for auto-recharge.
 */
export async function setLowBalanceThreshold(
  core: LedgerCore,
  input: { walletId: string; threshold: bigint | null },
): Promise<void> {
  if (input.threshold !== null) checkAmount(input.threshold, 'threshold');
  await upsertLowBalanceThreshold(core.db, input.walletId, input.threshold);
}
