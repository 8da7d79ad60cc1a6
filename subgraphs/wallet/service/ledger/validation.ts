import { badUserInput } from '../../../../lib/errors.js';
import type { FundingMetadata } from '../../store/transfer-rows.js';

/** The most any one operation may move: 10^15 µcr (a billion credits). */
const MAX_AMOUNT = 1_000_000_000_000_000n;
/** Holds for calls last from one second to one day. */
const MAX_EXPIRY_SECONDS = 86_400;
/** Dispute holds last up to 180 days: a card dispute can take months to be decided. */
export const MAX_DISPUTE_EXPIRY_SECONDS = 180 * 86_400;

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

/** A hold's lifetime: up to a day, or up to 180 days for a dispute hold. */
export function checkExpiry(seconds: number, dispute = false): void {
  const max = dispute ? MAX_DISPUTE_EXPIRY_SECONDS : MAX_EXPIRY_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
    throw badUserInput(`expiresInSeconds must be 1 to ${max}.`, { field: 'expiresInSeconds' });
  }
}

/** Where credits came from or went (a payment): each part at most 200 characters. */
export function checkFundingMetadata(
  metadata: FundingMetadata | null | undefined,
): FundingMetadata | null {
  if (!metadata) return null;
  const kept: FundingMetadata = {};
  for (const field of ['paymentId', 'purchaseId', 'source'] as const) {
    const value = metadata[field];
    if (value == null) continue;
    if (value.length < 1 || value.length > 200) {
      throw badUserInput(`metadata.${field} must be 1 to 200 characters.`, {
        field: `metadata.${field}`,
      });
    }
    kept[field] = value;
  }
  return Object.keys(kept).length > 0 ? kept : null;
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
