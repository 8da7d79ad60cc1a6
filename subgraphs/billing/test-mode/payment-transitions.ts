/**
 * How payments move: a PaymentIntent succeeds (a charge, `payment_intent.succeeded`) or is
 * declined (a failed charge, `payment_intent.payment_failed`), is refunded (`refund.created`,
 * `charge.refunded`) or disputed (`charge.dispute.created`, `charge.dispute.closed`). Both the
 * API routes and the test controls come through here, so a dashboard refund and an API refund
 * leave the same trail.
 */
import {
  cardDecline,
  newCharge,
  newId,
  NO_REQUEST,
  type EmulatedDispute,
  type EmulatedPaymentIntent,
  type EmulatedRefund,
  type EventRequest,
  type PaymentError,
} from './emulator-objects.js';
import type { EmulatorState } from './emulator-state.js';
import { invalidRequest, StripeApiError } from './request-params.js';

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string | null;
  metadata: Record<string, string>;
  description?: string | null;
  setupFutureUsage?: 'off_session' | 'on_session' | null;
}

export interface RefundInput {
  paymentIntent: string;
  /** @default what is left to refund */
  amount?: number;
  metadata?: Record<string, string>;
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
}

export type PaymentTransitions = ReturnType<typeof createPaymentTransitions>;

export function createPaymentTransitions(state: EmulatorState) {
  // Decline codes of the next payments to fail, consumed one per confirmation.
  let failures: string[] = [];

  function createIntent(input: NewPaymentIntent): EmulatedPaymentIntent {
    const pi: EmulatedPaymentIntent = {
      id: newId('pi'),
      object: 'payment_intent',
      created: state.now(),
      livemode: false,
      amount: input.amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: input.currency,
      customer: input.customer,
      description: input.description ?? null,
      metadata: { ...input.metadata },
      payment_method: input.paymentMethod,
      payment_method_types: ['card'],
      capture_method: 'automatic',
      confirmation_method: 'automatic',
      setup_future_usage: input.setupFutureUsage ?? null,
      status: input.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
      latest_charge: null,
      last_payment_error: null,
      canceled_at: null,
    };
    state.paymentIntents.set(pi.id, pi);
    return pi;
  }

  /** The payment goes through: a captured charge; the event unless `silent`. */
  function succeed(pi: EmulatedPaymentIntent, request: EventRequest, silent = false): void {
    const charge = newCharge(pi, state.now());
    state.charges.set(charge.id, charge);
    Object.assign(pi, {
      status: 'succeeded',
      amount_received: pi.amount,
      latest_charge: charge.id,
      last_payment_error: null,
    });
    if (!silent) state.emit('payment_intent.succeeded', pi, request);
  }

  /** The payment is declined: a failed charge, and the PaymentIntent wants another method. */
  function fail(pi: EmulatedPaymentIntent, error: PaymentError, request: EventRequest): void {
    const charge = newCharge(pi, state.now(), error);
    state.charges.set(charge.id, charge);
    Object.assign(pi, {
      status: 'requires_payment_method',
      latest_charge: charge.id,
      last_payment_error: { ...error, charge: charge.id },
    });
    state.emit('payment_intent.payment_failed', pi, request);
  }

  /**
   * Confirms with the PaymentIntent's method: succeeds unless `failNextPayments` armed a failure
   * (or the method is a declining test card); a decline throws Stripe's 402 card error.
   */
  function confirm(pi: EmulatedPaymentIntent, request: EventRequest, declineCode?: string): void {
    const decline = declineCode ?? failures.shift();
    if (decline === undefined) return succeed(pi, request);
    fail(pi, cardDecline(decline), request);
    throw new StripeApiError(402, {
      ...(pi.last_payment_error as PaymentError),
      type: 'card_error',
      message: pi.last_payment_error?.message ?? 'Your card was declined.',
      payment_intent: structuredClone(pi),
      payment_method: pi.payment_method ? state.paymentMethods.get(pi.payment_method) : undefined,
    });
  }

  function chargeOf(pi: EmulatedPaymentIntent, param: string) {
    if (pi.status !== 'succeeded' || !pi.latest_charge) {
      throw invalidRequest(
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        param,
        'charge_not_refundable',
      );
    }
    return state.charge(pi.latest_charge);
  }

  function refund(input: RefundInput, request: EventRequest): EmulatedRefund {
    const pi = state.paymentIntent(input.paymentIntent, 'payment_intent');
    const charge = chargeOf(pi, 'payment_intent');
    const dispute = [...state.disputes.values()].find((d) => d.charge === charge.id);
    if (dispute && dispute.status !== 'won') {
      throw invalidRequest(
        `Charge ${charge.id} has been charged back; it cannot be refunded.`,
        'charge',
        'charge_disputed',
      );
    }
    const left = charge.amount - charge.amount_refunded;
    if (left === 0) {
      throw invalidRequest(
        `Charge ${charge.id} has already been refunded.`,
        'charge',
        'charge_already_refunded',
      );
    }
    const amount = input.amount ?? left;
    if (amount < 1) throw invalidRequest('Refund amount must be positive.', 'amount');
    if (amount > left) {
      throw invalidRequest(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        'amount',
        'amount_too_large',
      );
    }
    const created: EmulatedRefund = {
      id: newId('re'),
      object: 'refund',
      created: state.now(),
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: pi.id,
      metadata: { ...(input.metadata ?? {}) },
      reason: input.reason ?? null,
      status: 'succeeded',
    };
    state.refunds.set(created.id, created);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    charge.refunds.data.unshift(created);
    state.emit('refund.created', created, request);
    state.emit('charge.refunded', charge, request);
    return created;
  }

  function openDispute(paymentIntentId: string, amount?: number): EmulatedDispute {
    const pi = state.paymentIntent(paymentIntentId, 'payment_intent');
    const charge = chargeOf(pi, 'payment_intent');
    if ([...state.disputes.values()].some((d) => d.charge === charge.id)) {
      throw invalidRequest(`Charge ${charge.id} is already disputed.`, 'charge');
    }
    const disputed = amount ?? charge.amount;
    if (disputed < 1 || disputed > charge.amount) {
      throw invalidRequest(`A dispute is for 1 to ${charge.amount}.`, 'amount');
    }
    const dispute: EmulatedDispute = {
      id: newId('dp'),
      object: 'dispute',
      created: state.now(),
      livemode: false,
      amount: disputed,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: pi.id,
      metadata: {},
      reason: 'fraudulent',
      status: 'needs_response',
      is_charge_refundable: false,
      balance_transactions: [],
    };
    state.disputes.set(dispute.id, dispute);
    charge.disputed = true;
    state.emit('charge.dispute.created', dispute, NO_REQUEST);
    return dispute;
  }

  function closeDispute(disputeId: string, outcome: 'won' | 'lost'): EmulatedDispute {
    const dispute = state.dispute(disputeId);
    if (dispute.status !== 'needs_response') {
      throw invalidRequest(`Dispute ${dispute.id} is already closed (${dispute.status}).`, 'id');
    }
    dispute.status = outcome;
    state.emit('charge.dispute.closed', dispute, NO_REQUEST);
    return dispute;
  }

  return {
    createIntent,
    succeed,
    fail,
    confirm,
    refund,
    openDispute,
    closeDispute,

    /** The next `count` confirmations are declined with `declineCode`. */
    failNextPayments(count: number, declineCode: string): void {
      failures.push(...Array.from({ length: count }, () => declineCode));
    },

    reset(): void {
      failures = [];
    },
  };
}
