/**
 * The shapes of the objects the emulator answers with. Each is a `Pick` of the SDK's own type, so
 * a field the emulator names differently from Stripe, or gives a value Stripe never sends, fails
 * to compile; only the fields billing can rely on are picked. Ids follow Stripe's test-mode
 * prefixes (`cs_test_`, `pi_`, `ch_`, `re_`, `dp_`, `seti_`, `pm_`, `cus_`, `evt_`, `req_`).
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';

export type EmulatedCustomer = Pick<
  Stripe.Customer,
  'id' | 'object' | 'created' | 'livemode' | 'email' | 'name' | 'description' | 'metadata'
>;

export type EmulatedSession = Pick<
  Stripe.Checkout.Session,
  | 'id'
  | 'object'
  | 'created'
  | 'livemode'
  | 'mode'
  | 'status'
  | 'payment_status'
  | 'amount_subtotal'
  | 'amount_total'
  | 'currency'
  | 'customer'
  | 'customer_creation'
  | 'customer_email'
  | 'client_reference_id'
  | 'metadata'
  | 'payment_intent'
  | 'setup_intent'
  | 'success_url'
  | 'cancel_url'
  | 'url'
  | 'expires_at'
> & { customer: string | null; payment_intent: string | null; setup_intent: string | null };

/** Why the last attempt failed, as on a PaymentIntent (the payment method itself left out). */
export type PaymentError = Pick<
  Stripe.PaymentIntent.LastPaymentError,
  'type' | 'code' | 'decline_code' | 'message' | 'charge'
>;

export type EmulatedPaymentIntent = Omit<
  Pick<
    Stripe.PaymentIntent,
    | 'id'
    | 'object'
    | 'created'
    | 'livemode'
    | 'amount'
    | 'amount_capturable'
    | 'amount_received'
    | 'currency'
    | 'customer'
    | 'description'
    | 'metadata'
    | 'payment_method'
    | 'payment_method_types'
    | 'capture_method'
    | 'confirmation_method'
    | 'setup_future_usage'
    | 'status'
    | 'latest_charge'
    | 'last_payment_error'
    | 'canceled_at'
  >,
  'last_payment_error'
> & {
  customer: string | null;
  payment_method: string | null;
  latest_charge: string | null;
  last_payment_error: PaymentError | null;
};

export type EmulatedRefund = Pick<
  Stripe.Refund,
  | 'id'
  | 'object'
  | 'created'
  | 'amount'
  | 'currency'
  | 'charge'
  | 'payment_intent'
  | 'metadata'
  | 'reason'
  | 'status'
> & { charge: string; payment_intent: string };

/** Stripe's list object; `url` is the path that lists the items. */
export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export type EmulatedCharge = Omit<
  Pick<
    Stripe.Charge,
    | 'id'
    | 'object'
    | 'created'
    | 'livemode'
    | 'amount'
    | 'amount_captured'
    | 'amount_refunded'
    | 'currency'
    | 'customer'
    | 'metadata'
    | 'paid'
    | 'captured'
    | 'refunded'
    | 'disputed'
    | 'status'
    | 'payment_intent'
    | 'payment_method'
    | 'failure_code'
    | 'failure_message'
  >,
  'refunds'
> & { customer: string | null; payment_intent: string; refunds: ListObject<EmulatedRefund> };

export type EmulatedDispute = Pick<
  Stripe.Dispute,
  | 'id'
  | 'object'
  | 'created'
  | 'livemode'
  | 'amount'
  | 'currency'
  | 'charge'
  | 'payment_intent'
  | 'metadata'
  | 'reason'
  | 'status'
  | 'is_charge_refundable'
  | 'balance_transactions'
> & { charge: string; payment_intent: string };

export type EmulatedSetupIntent = Pick<
  Stripe.SetupIntent,
  | 'id'
  | 'object'
  | 'created'
  | 'livemode'
  | 'customer'
  | 'metadata'
  | 'payment_method'
  | 'payment_method_types'
  | 'status'
  | 'usage'
> & { customer: string | null; payment_method: string };

export type EmulatedPaymentMethod = Pick<
  Stripe.PaymentMethod,
  'id' | 'object' | 'created' | 'livemode' | 'type' | 'customer' | 'metadata' | 'billing_details'
> & {
  customer: string | null;
  card: Pick<
    Stripe.PaymentMethod.Card,
    'brand' | 'last4' | 'exp_month' | 'exp_year' | 'funding' | 'country'
  >;
};

/** The event types the emulator emits; `satisfies` keeps each name one Stripe really sends. */
export const EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'refund.created',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const satisfies readonly Stripe.Event.Type[];
export type EmulatedEventType = (typeof EVENT_TYPES)[number];

/** An object an event carries: the resource as it was when the event happened. */
export type EventObject =
  EmulatedSession | EmulatedPaymentIntent | EmulatedRefund | EmulatedCharge | EmulatedDispute;

export type EmulatedEvent = Pick<
  Stripe.Event,
  'id' | 'object' | 'api_version' | 'created' | 'livemode' | 'pending_webhooks' | 'request'
> & { type: EmulatedEventType; data: { object: EventObject } };

/** What caused a change: the API request (its id and idempotency key), or nobody (null, null). */
export type EventRequest = NonNullable<Stripe.Event['request']>;
export const NO_REQUEST: EventRequest = { id: null, idempotency_key: null };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Stripe-looking id: the prefix and 24 random base-62 characters. */
export function newId(prefix: string): string {
  const bytes = randomBytes(24);
  let tail = '';
  for (const byte of bytes) tail += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${tail}`;
}

/** The emulator's test card: what "Pay with test card" and `pm_card_visa` stand for. */
export function testCard(
  id: string,
  created: number,
  customer: string | null,
): EmulatedPaymentMethod {
  return {
    id,
    object: 'payment_method',
    created,
    livemode: false,
    type: 'card',
    customer,
    metadata: {},
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: 'visa',
      last4: '4242',
      exp_month: 12,
      exp_year: new Date(created * 1000).getUTCFullYear() + 3,
      funding: 'credit',
      country: 'US',
    },
  };
}

export function newCharge(
  pi: EmulatedPaymentIntent,
  created: number,
  failure?: PaymentError,
): EmulatedCharge {
  const id = newId('ch');
  const paid = failure === undefined;
  return {
    id,
    object: 'charge',
    created,
    livemode: false,
    amount: pi.amount,
    amount_captured: paid ? pi.amount : 0,
    amount_refunded: 0,
    currency: pi.currency,
    customer: pi.customer,
    metadata: { ...pi.metadata },
    paid,
    captured: paid,
    refunded: false,
    disputed: false,
    status: paid ? 'succeeded' : 'failed',
    payment_intent: pi.id,
    payment_method: pi.payment_method,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
  };
}

/** A card decline as Stripe words it, for `last_payment_error` and the 402 body. */
export function cardDecline(declineCode: string, charge?: string): PaymentError {
  return {
    type: 'card_error',
    code: 'card_declined',
    decline_code: declineCode,
    message:
      declineCode === 'insufficient_funds'
        ? 'Your card has insufficient funds.'
        : 'Your card was declined.',
    ...(charge ? { charge } : {}),
  };
}
