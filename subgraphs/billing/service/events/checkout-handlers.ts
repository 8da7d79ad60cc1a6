import type Stripe from 'stripe';
import { createGroupCommit } from '../../../../lib/group-commit.js';
import { isUuid } from '../../../../lib/ids.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type { PurchaseTransitions } from '../../store/purchase-transitions.js';
import type { GrantPurchase } from '../grant-purchase.js';
import type { EventHandler, EventHandlers, HandledEvent } from './event-handlers.js';

const ignored = (detail: string): HandledEvent => ({ outcome: 'IGNORED', detail });
const handled = (detail: string): HandledEvent => ({ outcome: 'HANDLED', detail });

const paymentIdOf = (session: Stripe.Checkout.Session): string | null =>
  typeof session.payment_intent === 'string'
    ? session.payment_intent
    : (session.payment_intent?.id ?? null);

/**
 * The checkout's events: a paid session grants (at once, or when its delayed payment succeeds),
 * an unpaid completed one waits (PROCESSING), a failed delayed payment or an expired session ends
 * the purchase with nothing granted. Only payment-mode sessions of our own purchases are acted on
 * (setup sessions belong to auto-recharge). Every handler is safe to run twice and in any order:
 * the grant is keyed by the payment, and a purchase's status only moves forward.
 */
export function createCheckoutHandlers(deps: {
  purchases: PurchaseStore;
  transitions: PurchaseTransitions;
  grantPurchase: GrantPurchase;
}): EventHandlers {
  const { purchases, transitions, grantPurchase } = deps;
  /** Purchases by id, read together for concurrent deliveries (one statement per batch). */
  const purchaseById = createGroupCommit<string, PurchaseRow | null>(
    async (ids) => {
      const found = new Map((await purchases.byIds([...new Set(ids)])).map((p) => [p.id, p]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { inFlight: 2, mostPerBatch: 256 },
  );

  /** The purchase a payment-mode session pays for, by its metadata (ours) or its id. */
  async function purchaseOf(session: Stripe.Checkout.Session): Promise<PurchaseRow | null> {
    if (session.mode !== 'payment') return null;
    const id = session.metadata?.purchaseId ?? session.client_reference_id;
    const purchase =
      id && isUuid(id)
        ? await purchaseById.submit(id)
        : await purchases.byCheckoutSession(session.id);
    // The session's team must be the purchase's: metadata is ours, but check what we act on.
    if (purchase && session.metadata?.teamId && session.metadata.teamId !== purchase.teamId) {
      return null;
    }
    return purchase;
  }

  const onSession =
    (
      act: (
        session: Stripe.Checkout.Session,
        purchase: PurchaseRow,
        requestId: string,
      ) => Promise<HandledEvent>,
    ): EventHandler =>
    async (event, { requestId }) => {
      const session = event.data.object as Stripe.Checkout.Session;
      const purchase = await purchaseOf(session);
      if (!purchase) return ignored('not a checkout of a purchase');
      return act(session, purchase, requestId);
    };

  async function grant(session: Stripe.Checkout.Session, purchase: PurchaseRow, requestId: string) {
    const paymentId = paymentIdOf(session);
    if (session.payment_status !== 'paid' || !paymentId || session.amount_total == null) {
      return ignored(`session ${session.id} is not paid`);
    }
    const result = await grantPurchase({
      purchase,
      paymentId,
      paidAmountMinor: session.amount_total,
      currency: session.currency ?? purchase.currency,
      requestId,
    });
    return handled(
      result.marked
        ? `granted ${result.purchase.grantedCredits} µcr for ${paymentId}`
        : `${paymentId} was already granted`,
    );
  }

  return {
    'checkout.session.completed': onSession(async (session, purchase, requestId) => {
      if (session.payment_status === 'paid') return grant(session, purchase, requestId);
      if (session.payment_status === 'unpaid') {
        const moved = await transitions.markProcessing(purchase.id, paymentIdOf(session));
        return handled(moved ? 'waiting for the delayed payment' : `already ${purchase.status}`);
      }
      return ignored(`payment_status ${session.payment_status}`);
    }),
    'checkout.session.async_payment_succeeded': onSession(grant),
    'checkout.session.async_payment_failed': onSession(async (session, purchase) => {
      const moved = await transitions.markFailed(purchase.id, paymentIdOf(session));
      return handled(moved ? 'the delayed payment failed' : `already ${purchase.status}`);
    }),
    'checkout.session.expired': onSession(async (_session, purchase) => {
      const moved = await transitions.markExpired(purchase.id);
      return handled(moved ? 'expired unpaid' : `already ${purchase.status}`);
    }),
  };
}
