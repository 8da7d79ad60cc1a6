import { badUserInput } from '../../../../lib/errors.js';

/** The most any one operation may move: 10^15 µcr (a billion credits). */
const MAX_AMOUNT = 1_000_000_000_000_000n;
/** Holds last from one second to one day. */
const MAX_EXPIRY_SECONDS = 86_400;

export function checkAmount(amount: bigint, field = 'amount'): void {
  if (amount <= 0n || amount > MAX_AMOUNT) {
    throw badUserInput(`${field} must be between 1 and ${MAX_AMOUNT} micro-credits.`, { field });
  }
}

/** The least a hold accepts: its minimum, 1 to its amount; without one, its whole amount. */
export function checkMinimum(minimum: bigint | null | undefined, amount: bigint): bigint {
  if (minimum == null) return amount;
  checkAmount(minimum, 'minimumAmount');
  if (minimum > amount) {
    throw badUserInput('minimumAmount must not exceed amount.', { field: 'minimumAmount' });
  }
  return minimum;
}

export function checkIdempotencyKey(key: string): void {
  if (key.length < 1 || key.length > 200) {
    throw badUserInput('idempotencyKey must be 1 to 200 characters.', { field: 'idempotencyKey' });
  }
}

export function checkExpiry(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw badUserInput(`expiresInSeconds must be 1 to ${MAX_EXPIRY_SECONDS}.`, {
      field: 'expiresInSeconds',
    });
  }
}

export function checkMemo(memo: string | null | undefined): string | null {
  if (memo == null) return null;
  if (memo.length > 500)
    throw badUserInput('memo must be at most 500 characters.', { field: 'memo' });
  return memo;
}

export function checkThresholds(thresholds: readonly number[]): number[] {
  const unique = [...new Set(thresholds)].sort((a, b) => a - b);
  if (unique.length > 10 || unique.some((t) => !Number.isInteger(t) || t < 1 || t > 100)) {
    throw badUserInput('alertThresholds are up to 10 whole percentages from 1 to 100.', {
      field: 'alertThresholds',
    });
  }
  return unique;
}
