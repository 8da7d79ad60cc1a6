import type Stripe from 'stripe';
import { isUuid } from '../../../../lib/ids.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';

/** The id of a referenced provider object, expanded or not. */
export const idOf = (ref: string | { id: string } | null | undefined) =>
  typeof ref === 'string' ? ref : (ref?.id ?? null);

/**
 * The PAID purchase a refunded or disputed payment granted; null when the payment is none of
 * ours (the event is IGNORED). A payment whose purchase is not recorded as PAID yet (its
 * checkout's event still on its way, or being retried) throws, so the provider delivers the
 * refund's or dispute's event again once the grant is in: the PaymentIntent's metadata names
 * the purchase even before the purchase knows the payment.
 */
export async function paidPurchaseOf(
  stripe: Stripe,
  purchases: PurchaseStore,
  paymentId: string | null,
  what: string,
): Promise<PurchaseRow | null> {
  if (!paymentId) return null;
  let [purchase] = await purchases.byPaymentIds([paymentId]);
  if (!purchase) {
    const intent = await stripe.paymentIntents.retrieve(paymentId);
    const named = intent.metadata?.purchaseId;
    [purchase] = named && isUuid(named) ? await purchases.byIds([named]) : [];
    if (!purchase) return null;
  }
  if (purchase.status !== 'PAID') {
    throw new Error(`purchase ${purchase.id} is ${purchase.status}; ${what} waits for its grant`);
  }
  return purchase;
}
