import type Stripe from 'stripe';
import { isUuid } from '../../../../lib/ids.js';
import type { EventHandlers, HandledEvent } from '../events/event-handlers.js';
import type { RechargeCharges } from './recharge-charges.js';
import type { AutoRechargeDeps } from './recharge-deps.js';
import { SETUP_PURPOSE } from './recharge-settings.js';

const ignored = (detail: string): HandledEvent => ({ outcome: 'IGNORED', detail });

/**
 * Auto-recharge's provider events: a completed setup checkout saves the team's payment method;
 * a recharge's PaymentIntent succeeding grants it, failing counts a failure. Payments of other
 * purchases (checkouts) are left to their own handlers.
 */
export function createRechargeEventHandlers(
  deps: AutoRechargeDeps,
  charges: RechargeCharges,
): EventHandlers {
  /** The AUTO_RECHARGE purchase a PaymentIntent pays for, or null. */
  async function rechargeOf(intent: Stripe.PaymentIntent) {
    const purchaseId = intent.metadata?.purchaseId;
    if (!purchaseId || !isUuid(purchaseId)) return null;
    const [purchase] = await deps.purchases.byIds([purchaseId]);
    return purchase?.kind === 'AUTO_RECHARGE' ? purchase : null;
  }

  return {
    'checkout.session.completed': async (event, { logger, requestId }) => {
      const session = event.data.object as Stripe.Checkout.Session;
      if (session.mode !== 'setup' || session.metadata?.purpose !== SETUP_PURPOSE) {
        return ignored('not an auto-recharge setup');
      }
      const teamId = session.metadata.teamId ?? '';
      const customer =
        typeof session.customer === 'string' ? session.customer : session.customer?.id;
      if (!customer || (await deps.customers.teamOf(customer)) !== teamId) {
        logger.warn(
          { sessionId: session.id },
          'setup session of a customer that is not the team’s',
        );
        return ignored('the session’s customer is not the team’s');
      }
      const setupIntentId =
        typeof session.setup_intent === 'string' ? session.setup_intent : session.setup_intent?.id;
      if (!setupIntentId) return ignored('no SetupIntent');
      const intent = await deps.stripe.setupIntents.retrieve(setupIntentId);
      const method =
        typeof intent.payment_method === 'string'
          ? intent.payment_method
          : intent.payment_method?.id;
      if (intent.status !== 'succeeded' || !method)
        return ignored('the SetupIntent did not succeed');
      await deps.settingsStore.savePaymentMethod(teamId, method);
      await deps.audit.record({
        teamId,
        action: 'RECHARGE_METHOD_SAVED',
        outcome: 'SUCCEEDED',
        targetType: 'Team',
        targetId: teamId,
        details: { setupIntentId, paymentMethodId: method },
        requestId,
      });
      return { outcome: 'HANDLED', detail: 'payment method saved for auto-recharge' };
    },

    'payment_intent.succeeded': async (event, { requestId }) => {
      const intent = event.data.object as Stripe.PaymentIntent;
      const purchase = await rechargeOf(intent);
      if (!purchase) return ignored('not an auto-recharge payment');
      await charges.recordSuccess(purchase, intent, requestId);
      return { outcome: 'HANDLED', detail: 'auto-recharge granted' };
    },

    'payment_intent.payment_failed': async (event, { requestId }) => {
      const intent = event.data.object as Stripe.PaymentIntent;
      const purchase = await rechargeOf(intent);
      if (!purchase) return ignored('not an auto-recharge payment');
      const counted = await charges.recordFailure(
        purchase.id,
        intent.id,
        intent.last_payment_error?.message ?? 'the payment failed',
        requestId,
      );
      return counted
        ? { outcome: 'HANDLED', detail: 'auto-recharge failure recorded' }
        : ignored('this failure was already recorded');
    },
  };
}
