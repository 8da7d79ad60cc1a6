import { codedError } from '../../../../lib/errors.js';

/**
 * Outcomes a caller of the ledger must branch on, each with a stable code and the figures needed
 * to act on it (amounts as decimal strings of micro-credits).
 */
export const insufficientFunds = (available: bigint, required: bigint) =>
  codedError('INSUFFICIENT_FUNDS', 'The wallet does not have enough available credits.', {
    available: available.toString(),
    required: required.toString(),
  });

export const budgetExceeded = (limit: bigint, spent: bigint, held: bigint, required: bigint) =>
  codedError('BUDGET_EXCEEDED', "The hold would take the wallet over this month's budget.", {
    monthlyLimit: limit.toString(),
    monthToDateSpend: spent.toString(),
    held: held.toString(),
    required: required.toString(),
    available: (limit - spent - held > 0n ? limit - spent - held : 0n).toString(),
  });

export const walletSuspended = (reason: string | null) =>
  codedError(
    'WALLET_SUSPENDED',
    `The wallet is suspended and takes no new calls${reason ? `: ${reason}` : '.'}`,
    { reason },
  );

/** A dispute hold is never charged as usage: it is voided, or taken by a debit. */
export const disputeHoldNotCharged = (holdId: string) =>
  codedError(
    'BAD_USER_INPUT',
    'A dispute hold is never charged for calls; void it, or take it with debitCredits.',
    { holdId },
  );

export const holdAlreadyResolved = (status: string) =>
  codedError('HOLD_ALREADY_RESOLVED', `The hold is already ${status.toLowerCase()}.`, { status });

export const holdExpired = (expiresAt: Date) =>
  codedError('HOLD_EXPIRED', 'The hold has expired; its credits were released.', {
    expiredAt: expiresAt.toISOString(),
  });

export const captureExceedsHold = (held: bigint, required: bigint) =>
  codedError('CAPTURE_EXCEEDS_HOLD', 'A capture cannot exceed the amount held.', {
    held: held.toString(),
    required: required.toString(),
  });

export const refundExceedsCapture = (refundable: bigint, required: bigint) =>
  codedError('REFUND_EXCEEDS_CAPTURE', 'Refunds cannot exceed what was captured.', {
    refundable: refundable.toString(),
    required: required.toString(),
  });

export const idempotencyConflict = (key: string) =>
  codedError(
    'IDEMPOTENCY_CONFLICT',
    `The idempotency key "${key}" was already used with different parameters.`,
    { idempotencyKey: key },
  );

/** Postgres' unique_violation, and which index it hit. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return null;
  return e.constraint ?? /"([^"]+)"/.exec(e.message ?? '')?.[1] ?? 'unknown';
}
