/**
 * `/v1/payment_intents`, `/v1/charges`, `/v1/refunds` and `/v1/disputes`: what billing needs to
 * charge a saved card off-session, refund a purchase and learn about chargebacks. A PaymentIntent
 * is confirmed at creation (`confirm: true`); there is no separate confirm or capture.
 */
import { LIST_PARAMS, type ApiRequest, type ApiRoute } from './api-router.js';
import type { EmulatedDispute, EmulatedPaymentIntent, EmulatedRefund } from './emulator-objects.js';
import { testCard, newId } from './emulator-objects.js';
import type { EmulatorState } from './emulator-state.js';
import type { FormObject } from './form-body.js';
import { listPage } from './list-page.js';
import type { PaymentTransitions, RefundInput } from './payment-transitions.js';
import {
  checkChargeAmount,
  invalidRequest,
  optionalBoolean,
  optionalInteger,
  optionalString,
  readCurrency,
  readMetadata,
} from './request-params.js';

const PI_PARAMS = [
  'amount',
  'currency',
  'customer',
  'payment_method',
  'payment_method_types',
  'off_session',
  'confirm',
  'metadata',
  'description',
  'setup_future_usage',
  'error_on_requires_action',
  'automatic_payment_methods',
] as const;

// Stripe's test payment methods: each use makes a fresh card; some are declined.
const TEST_METHODS: Record<string, string | null> = {
  pm_card_visa: null,
  pm_card_chargeDeclined: 'generic_decline',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
};

export function createPaymentRoutes(deps: {
  state: EmulatorState;
  payments: PaymentTransitions;
}): ApiRoute[] {
  const { state, payments } = deps;

  /** The payment method to charge, checked against the customer as Stripe checks it. */
  function paymentMethodFor(id: string, customer: string | null) {
    if (id in TEST_METHODS) {
      const card = testCard(newId('pm'), state.now(), null);
      state.paymentMethods.set(card.id, card);
      return { id: card.id, decline: TEST_METHODS[id] ?? undefined };
    }
    const method = state.paymentMethod(id, 'payment_method');
    if (method.customer !== null && method.customer !== customer) {
      throw invalidRequest(
        customer
          ? `The provided PaymentMethod ${id} belongs to another customer.`
          : `The provided PaymentMethod ${id} belongs to a customer; pass that customer.`,
        'payment_method',
      );
    }
    return { id, decline: undefined };
  }

  function createIntent(params: FormObject, request: ApiRouteRequest): EmulatedPaymentIntent {
    const amount = optionalInteger(params, 'amount');
    if (amount === undefined) {
      throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
    }
    const currency = readCurrency(params, 'currency');
    checkChargeAmount(amount, currency, 'amount');
    const customer = optionalString(params, 'customer') ?? null;
    if (customer) state.customer(customer, 'customer');
    const confirm = optionalBoolean(params, 'confirm') ?? false;
    const offSession = optionalString(params, 'off_session');
    if (offSession !== undefined && offSession !== 'false' && !confirm) {
      throw invalidRequest('off_session can only be used with confirm=true.', 'off_session');
    }
    const given = optionalString(params, 'payment_method');
    const method = given ? paymentMethodFor(given, customer) : undefined;
    const usage = optionalString(params, 'setup_future_usage') ?? null;
    if (usage !== null && usage !== 'off_session' && usage !== 'on_session') {
      throw invalidRequest(`Invalid setup_future_usage: ${usage}`, 'setup_future_usage');
    }
    if (confirm && !method) {
      throw invalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method.",
        'payment_method',
        'payment_intent_unexpected_state',
      );
    }
    const pi = payments.createIntent({
      amount,
      currency,
      customer,
      paymentMethod: method?.id ?? null,
      metadata: readMetadata(params),
      description: optionalString(params, 'description') ?? null,
      setupFutureUsage: usage,
    });
    if (confirm) payments.confirm(pi, request, method?.decline);
    return pi;
  }

  function createRefund(params: FormObject, request: ApiRouteRequest): EmulatedRefund {
    const charge = optionalString(params, 'charge');
    const paymentIntent =
      optionalString(params, 'payment_intent') ??
      (charge ? state.charge(charge, 'charge').payment_intent : undefined);
    if (!paymentIntent) {
      throw invalidRequest(
        'Missing required param: payment_intent.',
        'payment_intent',
        'parameter_missing',
      );
    }
    const reason = optionalString(params, 'reason') ?? null;
    if (reason !== null && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) {
      throw invalidRequest(`Invalid reason: ${reason}`, 'reason');
    }
    return payments.refund(
      {
        paymentIntent,
        amount: optionalInteger(params, 'amount'),
        metadata: readMetadata(params),
        reason: reason as RefundInput['reason'],
      },
      request,
    );
  }

  const filtered =
    <T>(params: FormObject, names: readonly (keyof T & string)[]) =>
    (item: T) =>
      names.every((name) => {
        const wanted = optionalString(params, name);
        return wanted === undefined || item[name] === wanted;
      });

  return [
    {
      method: 'POST',
      path: '/v1/payment_intents',
      params: PI_PARAMS,
      handle: ({ params, request }) => createIntent(params, request),
    },
    {
      method: 'GET',
      path: '/v1/payment_intents/:id',
      params: [],
      handle: ({ id }) => state.paymentIntent(id),
    },
    {
      method: 'GET',
      path: '/v1/payment_intents',
      params: [...LIST_PARAMS, 'customer'],
      handle: ({ params }) =>
        listPage(
          state.paymentIntents.values(),
          params,
          '/v1/payment_intents',
          'payment_intent',
          filtered<EmulatedPaymentIntent>(params, ['customer']),
        ),
    },
    { method: 'GET', path: '/v1/charges/:id', params: [], handle: ({ id }) => state.charge(id) },
    {
      method: 'POST',
      path: '/v1/refunds',
      params: ['payment_intent', 'charge', 'amount', 'metadata', 'reason'],
      handle: ({ params, request }) => createRefund(params, request),
    },
    {
      method: 'GET',
      path: '/v1/refunds/:id',
      params: [],
      handle: ({ id }) => state.refund(id),
    },
    {
      method: 'GET',
      path: '/v1/refunds',
      params: [...LIST_PARAMS, 'payment_intent', 'charge'],
      handle: ({ params }) =>
        listPage(
          state.refunds.values(),
          params,
          '/v1/refunds',
          'refund',
          filtered<EmulatedRefund>(params, ['payment_intent', 'charge']),
        ),
    },
    { method: 'GET', path: '/v1/disputes/:id', params: [], handle: ({ id }) => state.dispute(id) },
    {
      method: 'GET',
      path: '/v1/disputes',
      params: [...LIST_PARAMS, 'payment_intent', 'charge'],
      handle: ({ params }) =>
        listPage(
          state.disputes.values(),
          params,
          '/v1/disputes',
          'dispute',
          filtered<EmulatedDispute>(params, ['payment_intent', 'charge']),
        ),
    },
  ];
}

type ApiRouteRequest = ApiRequest['request'];
