import { insertHold, type NewHold } from '../../store/hold-statements.js';
import type { HoldMetadata, HoldRow } from '../../store/transfer-rows.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { authorizeHoldBatch, type HoldRequest } from './hold-batch.js';
import { createKeyedBatcher } from '../../../../lib/keyed-batcher.js';
import { budgetExceeded, insufficientFunds, walletSuspended } from './ledger-errors.js';
import { checkAmount, checkExpiry, checkIdempotencyKey, checkMinimum } from './validation.js';

export interface AuthorizeHoldInput {
  walletId: string;
  amount: bigint;
  /**
   * When set, the hold takes the most between this and `amount` that the wallet has room for,
   * and is refused only below it (a credit lease sized to what is there).
   */
  minimumAmount?: bigint | null;
  idempotencyKey: string;
  expiresInSeconds: number;
  metadata?: HoldMetadata | null;
  actor: string;
}

/**
 * Reserves credits for a call: refused with INSUFFICIENT_FUNDS or BUDGET_EXCEEDED (with the
 * figures) when the wallet cannot cover it (with a minimum, the minimum), and WALLET_SUSPENDED
 * while the wallet is suspended. Expires at the ledger's clock. Concurrent holds of one wallet
 * share one transaction (group commit, hold-batch.ts); a lone hold is one statement.
 *
 * A dispute hold (purpose DISPUTE, the billing service's) reserves disputed credits instead: it
 * may live up to 180 days, is limited by the available balance only (not usage, so not the
 * budget's business) and is taken from a suspended wallet too. Being rare, it never batches.
 */
export function createAuthorizeHold(core: LedgerCore) {
  const batches = createKeyedBatcher<HoldRequest, HoldRow>((walletId, batch) =>
    authorizeHoldBatch(core.db, walletId, batch),
  );
  return (input: AuthorizeHoldInput): Promise<HoldRow> => {
    checkAmount(input.amount);
    const minimumAmount = checkMinimum(input.minimumAmount, input.amount);
    checkIdempotencyKey(input.idempotencyKey);
    const metadata = input.metadata ?? {};
    const dispute = metadata.purpose === 'DISPUTE';
    checkExpiry(input.expiresInSeconds, dispute);
    const { walletId, amount, expiresInSeconds } = input;
    // A hold without a minimum hashes as it always did, so keys applied before still replay.
    const asked = input.minimumAmount == null ? {} : { minimumAmount };
    const request: HoldRequest = {
      amount,
      minimumAmount,
      idempotencyKey: input.idempotencyKey,
      requestHash: requestHash({ walletId, amount, expiresInSeconds, metadata, ...asked }),
      expiresInSeconds,
      metadata,
      actor: input.actor,
      single: () => authorizeOne(core, walletId, request),
    };
    return dispute ? request.single() : batches(walletId, request);
  };
}

/** The hold an idempotency key already made, if any (a different request is a conflict). */
async function earlierHold(core: LedgerCore, walletId: string, hold: NewHold) {
  const row = await core.replay(walletId, 'HOLD', hold.idempotencyKey, hold.requestHash);
  return row ? core.requireHold(row.id) : undefined;
}

/**
 * One hold in one statement. No lookup first: a key used before makes the write fail on its
 * unique index, and onceByKey then returns (or refuses) the earlier hold. A refusal is explained
 * with the figures, unless they contradict it (credits released meanwhile): then one more try.
 */
async function authorizeOne(core: LedgerCore, walletId: string, hold: NewHold): Promise<HoldRow> {
  for (let tries = 0; ; tries += 1) {
    const written = await onceByKey(
      () => insertHold(core.db, walletId, hold),
      () => earlierHold(core, walletId, hold),
    );
    if (written) return written;
    // A concurrent duplicate of this very hold may have taken the funds: its hold is ours.
    const raced = await earlierHold(core, walletId, hold);
    if (raced) return raced;
    await explainRefusal(core, walletId, hold, tries === 0);
  }
}

/**
 * Throws why a hold of at least its minimum was refused: WALLET_SUSPENDED, or INSUFFICIENT_FUNDS
 * or BUDGET_EXCEEDED with the figures. Returns instead (try again) when `mayRetry` and the
 * figures show room after all.
 */
async function explainRefusal(
  core: LedgerCore,
  walletId: string,
  hold: NewHold,
  mayRetry: boolean,
): Promise<void> {
  const amount = hold.minimumAmount;
  const dispute = hold.metadata.purpose === 'DISPUTE';
  const [balance] = await core.reads.balances([walletId]);
  const suspended = !dispute && balance?.suspended === true;
  // Dispute holds leave the budget out; holds for calls count only the calls' part of `held`.
  const callsHeld = balance ? balance.held - balance.disputeHeld : 0n;
  const withinBudget =
    dispute ||
    balance?.budgetLimit == null ||
    balance.monthToDateSpend + callsHeld + amount <= balance.budgetLimit;
  if (balance && !suspended && balance.available >= amount && withinBudget && mayRetry) return;
  if (suspended) throw walletSuspended(balance.suspendedReason);
  if (!balance || balance.available < amount || withinBudget || balance.budgetLimit === null) {
    throw insufficientFunds(balance?.available ?? 0n, amount);
  }
  throw budgetExceeded(balance.budgetLimit, balance.monthToDateSpend, callsHeld, amount);
}
