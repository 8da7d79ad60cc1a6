/**
 * What happens to a Checkout Session after it is created: the buyer pays (at once, or by a
 * delayed method settled later), is declined (the session stays open for another try), saves a
 * card (setup mode), or the session expires. Each step changes the objects first and then emits
 * its events, in the order Stripe sends them; the checkout page and the test controls both call
 * these.
 */
import {
  newId,
  NO_REQUEST,
  testCard,
  type EmulatedCustomer,
  type EmulatedSession,
  type EmulatedSetupIntent,
  type EventRequest,
} from './emulator-objects.js';
import type { EmulatorState, SessionRecord } from './emulator-state.js';
import type { PaymentTransitions } from './payment-transitions.js';
import { invalidRequest } from './request-params.js';

export type CheckoutOutcome = 'paid' | 'async_pending';

export type CheckoutTransitions = ReturnType<typeof createCheckoutTransitions>;

export function createCheckoutTransitions(state: EmulatorState, payments: PaymentTransitions) {
  function openRecord(sessionId: string): SessionRecord {
    sweepExpired();
    const record = state.session(sessionId);
    if (record.session.status !== 'open') {
      throw invalidRequest(
        `This Checkout Session is ${record.session.status}; only an open session can be used.`,
        'id',
        'checkout_session_not_open',
      );
    }
    return record;
  }

  function newCustomer(email: string | null): EmulatedCustomer {
    const customer: EmulatedCustomer = {
      id: newId('cus'),
      object: 'customer',
      created: state.now(),
      livemode: false,
      email,
      name: null,
      description: null,
      metadata: {},
    };
    state.customers.set(customer.id, customer);
    return customer;
  }

  /** The card "entered" on the page; kept on the customer when it is to be reused. */
  function enteredCard(record: SessionRecord, keep: boolean): string {
    const { session } = record;
    if (keep && !session.customer) {
      session.customer = newCustomer(session.customer_email).id;
    }
    const card = testCard(newId('pm'), state.now(), keep ? session.customer : null);
    state.paymentMethods.set(card.id, card);
    record.paymentMethod = card.id;
    return card.id;
  }

  /** The session's PaymentIntent: made at the first attempt, reused by a retry after a decline. */
  function intentFor(record: SessionRecord, paymentMethod: string) {
    const { session, paymentIntentData } = record;
    if (session.payment_intent) {
      const pi = state.paymentIntent(session.payment_intent);
      pi.payment_method = paymentMethod;
      pi.customer = session.customer;
      return pi;
    }
    const pi = payments.createIntent({
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      customer: session.customer,
      paymentMethod,
      metadata: paymentIntentData.metadata,
      description: paymentIntentData.description,
      setupFutureUsage: paymentIntentData.setupFutureUsage,
    });
    session.payment_intent = pi.id;
    return pi;
  }

  function completeSetup(record: SessionRecord): void {
    const { session } = record;
    const paymentMethod = enteredCard(record, session.customer !== null);
    const setupIntent: EmulatedSetupIntent = {
      id: newId('seti'),
      object: 'setup_intent',
      created: state.now(),
      livemode: false,
      customer: session.customer,
      metadata: { ...record.setupIntentMetadata },
      payment_method: paymentMethod,
      payment_method_types: ['card'],
      status: 'succeeded',
      usage: 'off_session',
    };
    state.setupIntents.set(setupIntent.id, setupIntent);
    Object.assign(session, { setup_intent: setupIntent.id, status: 'complete' });
    state.emit('checkout.session.completed', session, NO_REQUEST);
  }

  function expire(record: SessionRecord, request: EventRequest): EmulatedSession {
    const { session } = record;
    session.status = 'expired';
    // A PaymentIntent left by a declined attempt is canceled with its session.
    if (session.payment_intent) {
      const pi = state.paymentIntent(session.payment_intent);
      if (pi.status !== 'succeeded')
        Object.assign(pi, { status: 'canceled', canceled_at: state.now() });
    }
    state.emit('checkout.session.expired', session, request);
    return session;
  }

  /** Expires every open session whose `expires_at` the clock has passed, as Stripe does. */
  function sweepExpired(): void {
    const now = state.now();
    for (const record of state.sessions.values()) {
      if (record.session.status === 'open' && record.session.expires_at <= now) {
        expire(record, NO_REQUEST);
      }
    }
  }

  return {
    sweepExpired,

    /**
     * The buyer completes the session. `paid`: the card is charged now. `async_pending`: a
     * delayed method (a bank debit): the session completes unpaid and the money follows with
     * `settleAsyncPayment`. A setup-mode session saves a card instead.
     */
    complete(sessionId: string, outcome: CheckoutOutcome = 'paid'): EmulatedSession {
      const record = openRecord(sessionId);
      const { session } = record;
      if (session.mode === 'setup') {
        if (outcome !== 'paid') throw invalidRequest('A setup session has no payment to delay.');
        completeSetup(record);
        return session;
      }
      const keep =
        session.customer_creation === 'always' ||
        record.paymentIntentData.setupFutureUsage !== null;
      const pi = intentFor(record, enteredCard(record, keep));
      session.status = 'complete';
      if (outcome === 'paid') {
        payments.succeed(pi, NO_REQUEST);
        session.payment_status = 'paid';
      } else {
        Object.assign(pi, { status: 'processing', last_payment_error: null });
      }
      state.emit('checkout.session.completed', session, NO_REQUEST);
      return session;
    },

    /** A card is declined on the page: the attempt fails, the session stays open. */
    decline(sessionId: string, declineCode = 'generic_decline'): EmulatedSession {
      const record = openRecord(sessionId);
      if (record.session.mode !== 'payment')
        throw invalidRequest('Only a payment can be declined.');
      const pi = intentFor(record, enteredCard(record, false));
      try {
        payments.confirm(pi, NO_REQUEST, declineCode);
      } catch {
        // The buyer sees the decline on the page; the API's 402 is not for anyone here.
      }
      return record.session;
    },

    /** The delayed payment of a completed, unpaid session arrives or fails. */
    settleAsync(sessionId: string, result: 'succeeded' | 'failed'): EmulatedSession {
      const { session } = state.session(sessionId);
      const pi = session.payment_intent ? state.paymentIntent(session.payment_intent) : undefined;
      if (session.status !== 'complete' || !pi || pi.status !== 'processing') {
        throw invalidRequest(`Checkout Session ${session.id} has no payment awaiting settlement.`);
      }
      if (result === 'succeeded') {
        payments.succeed(pi, NO_REQUEST);
        session.payment_status = 'paid';
        state.emit('checkout.session.async_payment_succeeded', session, NO_REQUEST);
      } else {
        payments.fail(
          pi,
          {
            type: 'card_error',
            code: 'payment_method_provider_decline',
            message: 'The delayed payment was not received.',
          },
          NO_REQUEST,
        );
        state.emit('checkout.session.async_payment_failed', session, NO_REQUEST);
      }
      return session;
    },

    expire(sessionId: string, request: EventRequest = NO_REQUEST): EmulatedSession {
      return expire(openRecord(sessionId), request);
    },
  };
}
