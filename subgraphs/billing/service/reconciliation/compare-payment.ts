import type { LedgerGrant } from '../../clients/wallet-reads.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { MismatchKind } from '../../store/reconciliation-store.js';

/** A succeeded payment at the provider, as reconciliation compares it. */
export interface ProviderPayment {
  id: string;
  /** What the provider took, in the minor unit. */
  amountMinor: number;
  currency: string;
  /** What the provider refunded of it so far, in the minor unit. */
  refundedMinor: number;
  customerId: string | null;
  metadata: Record<string, string>;
}

/** A mismatch before any repair. */
export interface Mismatch {
  kind: MismatchKind;
  expectedCredits: bigint;
  actualCredits: bigint;
  detail: string;
}

/**
 * What is wrong with one payment, given its grants in the ledger and billing's purchase for it:
 * no grant, more than one, one of another amount than the paid amount buys, or provider refunds
 * beyond what billing recorded as refunded. Pure, so every rule is tested on its own.
 */
export function comparePayment(
  payment: ProviderPayment,
  grants: readonly LedgerGrant[],
  purchase: PurchaseRow | null,
  creditsFor: (amountMinor: number) => bigint,
): Mismatch[] {
  const expected = creditsFor(payment.amountMinor);
  const granted = grants.reduce((sum, g) => sum + g.amount, 0n);
  const found: Mismatch[] = [];
  if (grants.length === 0) {
    found.push({
      kind: 'PAID_NOT_GRANTED',
      expectedCredits: expected,
      actualCredits: 0n,
      detail: `${payment.amountMinor} ${payment.currency} paid; no grant in the ledger.`,
    });
  } else if (grants.length > 1) {
    found.push({
      kind: 'GRANTED_TWICE',
      expectedCredits: expected,
      actualCredits: granted,
      detail: `${grants.length} grants for one payment: ${grants.map((g) => g.id).join(', ')}.`,
    });
  } else if (granted !== expected) {
    found.push({
      kind: 'AMOUNT_DIFFERS',
      expectedCredits: expected,
      actualCredits: granted,
      detail: `${payment.amountMinor} ${payment.currency} paid buys ${expected} µcr; the grant ${grants[0]!.id} is ${granted} µcr.`,
    });
  }
  const recorded = purchase?.refundedAmountMinor ?? 0;
  if (payment.refundedMinor > recorded) {
    found.push({
      kind: 'REFUNDED_NOT_DEBITED',
      expectedCredits: creditsFor(payment.refundedMinor),
      actualCredits: creditsFor(recorded),
      detail: `${payment.refundedMinor} ${payment.currency} refunded at the provider; ${recorded} recorded as refunded${purchase ? '' : ' (no purchase)'}.`,
    });
  }
  return found;
}
