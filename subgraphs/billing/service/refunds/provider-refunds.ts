import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { isUuid } from '../../../../lib/ids.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type { RefundStore } from '../../store/refund-store.js';
import type { EventHandlers, HandledEvent } from '../events/event-handlers.js';
import { clawbackCredits } from './clawback-credits.js';
import { idOf, paidPurchaseOf } from './purchase-of-payment.js';
import type { SettleRefund } from './refund-settlement.js';

/**
 * The provider's refund events (`refund.created`, `refund.updated`, `refund.failed`,
 * `charge.refunded`), whoever made the refund. The event is only a nudge: the refund is read
 * back from the provider, so events that arrive late, twice or out of order all see where it is
 * now. Our own refunds carry our refund's id in their metadata and are settled as that refund
 * (never recorded twice); a refund made in the provider's dashboard is recorded as PROVIDER,
 * once per provider refund id, and settled the same way.
 */
export function createProviderRefunds(deps: {
  stripe: Stripe;
  purchases: PurchaseStore;
  refunds: RefundStore;
  settle: SettleRefund;
}) {
  const { stripe, purchases, refunds, settle } = deps;

  async function sync(refundId: string, requestId: string): Promise<HandledEvent> {
    const provider = await stripe.refunds.retrieve(refundId);
    const paymentId = idOf(provider.payment_intent);
    const purchase = await paidPurchaseOf(stripe, purchases, paymentId, `refund ${provider.id}`);
    if (!purchase) {
      return { outcome: 'IGNORED', detail: `refund ${provider.id} is not of a purchase's payment` };
    }
    const ours = provider.metadata?.refundId;
    let refund = ours && isUuid(ours) ? await refunds.byId(ours) : null;
    if (refund && refund.purchaseId !== purchase.id) refund = null;
    if (refund) await refunds.attachProviderRefund(refund.id, provider.id);
    refund ??= await refunds.byProviderId(provider.id);
    if (!refund) {
      if (purchase.status !== 'PAID') {
        // Its grant has not been recorded yet: fail, and the provider's retry finds it granted.
        throw new Error(
          `purchase ${purchase.id} is ${purchase.status}; refund ${provider.id} waits`,
        );
      }
      const reserved = await refunds.reserve(
        purchase.id,
        { providerRefundId: provider.id },
        (taken) => ({
          id: randomUUID(),
          source: 'PROVIDER',
          amountMinor: provider.amount,
          credits: clawbackCredits(taken, provider.amount),
          providerRefundId: provider.id,
          idempotencyKey: null,
          requestHash: null,
          reason: provider.reason ?? null,
          createdBy: 'provider',
        }),
      );
      refund = reserved!.refund;
    }
    const settled = await settle(refund, purchase, provider, requestId);
    return { outcome: 'HANDLED', detail: `refund ${provider.id}: ${settled.status}` };
  }

  const onRefund = (event: Stripe.Event, context: { requestId: string }) =>
    sync((event.data.object as Stripe.Refund).id, context.requestId);

  const handlers: EventHandlers = {
    'refund.created': onRefund,
    'refund.updated': onRefund,
    'refund.failed': onRefund,
    'charge.refunded': async (event, context) => {
      const paymentId = idOf((event.data.object as Stripe.Charge).payment_intent);
      if (!paymentId) return { outcome: 'IGNORED', detail: 'a charge of no PaymentIntent' };
      const list = await stripe.refunds.list({ payment_intent: paymentId, limit: 100 });
      const results = [];
      for (const refund of list.data) results.push(await sync(refund.id, context.requestId));
      const handled = results.filter((r) => r.outcome === 'HANDLED');
      return handled.length
        ? { outcome: 'HANDLED', detail: handled.map((r) => r.detail).join('; ') }
        : { outcome: 'IGNORED', detail: results[0]?.detail ?? 'no refunds listed' };
    },
  };
  return { sync, handlers };
}
