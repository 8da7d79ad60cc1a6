import type { PurchaseTaken } from '../../store/refund-store.js';

/**
 * The credits `amountMinor` of a purchase's payment stands for, given what refunds and lost
 * disputes already took: proportional to the grant and rounded down, never more than the grant
 * has left, and all of what it has left when this money is the last of the payment (so partial
 * refunds of a whole payment add up to exactly its grant). Integers only.
 */
export function clawbackCredits(taken: PurchaseTaken, amountMinor: number): bigint {
  const granted = taken.purchase.grantedCredits ?? 0n;
  const paid = BigInt(taken.purchase.paidAmountMinor ?? 0);
  const left = granted > taken.takenCredits ? granted - taken.takenCredits : 0n;
  if (paid === 0n) return 0n;
  if (BigInt(taken.refundedMinor + amountMinor) >= paid) return left;
  const proportional = (granted * BigInt(amountMinor)) / paid;
  return proportional < left ? proportional : left;
}
