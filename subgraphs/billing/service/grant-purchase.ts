import type { Logger } from '../../../lib/logging.js';
import type { AuditClient } from '../clients/audit-client.js';
import type { PurchaseRow } from '../store/purchase-rows.js';
import type { PurchaseTransitions } from '../store/purchase-transitions.js';
import type { PaymentGrants } from './payment-grants.js';
import type { Prices } from './prices.js';

export interface GrantPurchaseDeps {
  prices: Prices;
  /** The wallet's grants, batched across concurrent payments (payment-grants.ts). */
  grantForPayment: PaymentGrants;
  transitions: PurchaseTransitions;
  audit: AuditClient;
  logger: Logger;
}

export interface ConfirmedPayment {
  purchase: PurchaseRow;
  /** The provider's payment (PaymentIntent) id: the grant's idempotency key. */
  paymentId: string;
  /** What the provider confirmed was paid, in the minor unit: the only amount ever granted. */
  paidAmountMinor: number;
  currency: string;
  requestId: string;
}

/**
 * Grants a confirmed payment's credits and marks its purchase PAID. Every path that learns of a
 * payment (the checkout's events, a recharge's, reconciliation's repair) ends here, so it is
 * idempotent twice over: the wallet grants once per payment id whoever asks, and only the call
 * whose update moved the purchase to PAID (`marked`) audits it. A failure before the update leaves
 * the purchase as it was, and running it again finishes the job. The audit record is written in
 * the background with others (the audit client batches, and flushes on a clean stop): it is a
 * record, not a gate, so the payment does not wait for it.
 */
export function createGrantPurchase(deps: GrantPurchaseDeps) {
  const { prices, grantForPayment, transitions, audit } = deps;

  return async function grantPurchase(
    payment: ConfirmedPayment,
  ): Promise<{ purchase: PurchaseRow; marked: boolean }> {
    const { purchase, paymentId, paidAmountMinor, requestId } = payment;
    if (purchase.status === 'PAID') return { purchase, marked: false };
    if (payment.currency.toLowerCase() !== prices.currency) {
      // We ask for the configured currency only; anything else is not a price we know.
      throw new Error(
        `Payment ${paymentId} is in ${payment.currency}, not ${prices.currency}; not granted.`,
      );
    }
    const credits = prices.creditsFor(paidAmountMinor);
    const grant =
      credits > 0n
        ? await grantForPayment({
            teamId: purchase.teamId,
            credits,
            paymentId,
            purchaseId: purchase.id,
            source: purchase.kind,
            requestId,
          })
        : null;
    const marked = await transitions.markPaid({
      purchaseId: purchase.id,
      paymentId,
      paidAmountMinor,
      grantedCredits: grant ? BigInt(grant.amount) : 0n,
      grantTransferId: grant?.id ?? null,
    });
    if (!marked) return { purchase, marked: false };
    void audit.record({
      teamId: marked.teamId,
      action: 'PURCHASE_GRANTED',
      outcome: 'SUCCEEDED',
      targetType: 'Purchase',
      targetId: marked.id,
      details: {
        kind: marked.kind,
        paymentId,
        paidAmountMinor,
        currency: marked.currency,
        credits: marked.grantedCredits?.toString(),
      },
      requestId,
    });
    return { purchase: marked, marked: true };
  };
}

export type GrantPurchase = ReturnType<typeof createGrantPurchase>;
