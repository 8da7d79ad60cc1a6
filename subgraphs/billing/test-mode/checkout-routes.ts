/**
 * `/v1/checkout/sessions`: create (payment mode with `price_data` line items, or setup mode),
 * retrieve, list and expire. Only inline `price_data` is emulated (there are no Prices), and
 * the parameters are checked as Stripe checks them, so what billing sends here is what it may
 * send to a real account.
 */
import type { CheckoutTransitions } from './checkout-transitions.js';
import type { EmulatedSession } from './emulator-objects.js';
import { newId } from './emulator-objects.js';
import type { EmulatorState, SessionLine, SessionRecord } from './emulator-state.js';
import type { FormObject } from './form-body.js';
import { LIST_PARAMS, type ApiRoute } from './api-router.js';
import { listPage } from './list-page.js';
import {
  checkChargeAmount,
  invalidRequest,
  objectList,
  optionalInteger,
  optionalObject,
  optionalString,
  readCurrency,
  readMetadata,
  rejectUnknown,
  requiredString,
  resourceMissing,
} from './request-params.js';

const CREATE_PARAMS = [
  'mode',
  'line_items',
  'currency',
  'customer',
  'customer_email',
  'customer_creation',
  'client_reference_id',
  'metadata',
  'success_url',
  'cancel_url',
  'payment_intent_data',
  'setup_intent_data',
  'expires_at',
  'payment_method_types',
  'locale',
  'submit_type',
] as const;

function readLines(params: FormObject): (SessionLine & { currency: string })[] {
  const items = objectList(params, 'line_items');
  if (!items || items.length === 0) {
    throw invalidRequest('Missing required param: line_items.', 'line_items', 'parameter_missing');
  }
  return items.map((item, i) => {
    const at = `line_items[${i}]`;
    if (typeof item.price === 'string') throw resourceMissing('price', item.price, `${at}[price]`);
    rejectUnknown(item, ['price_data', 'quantity'], at);
    const priceData = optionalObject(item, 'price_data');
    if (!priceData) {
      throw invalidRequest(`Missing required param: ${at}[price_data].`, `${at}[price_data]`);
    }
    rejectUnknown(priceData, ['currency', 'unit_amount', 'product_data'], `${at}[price_data]`);
    const product = optionalObject(priceData, 'product_data');
    if (product) rejectUnknown(product, ['name', 'description'], `${at}[price_data][product_data]`);
    const name = requiredString(product ?? {}, 'name', `${at}[price_data][product_data][name]`);
    const unitAmount = optionalInteger(priceData, 'unit_amount', `${at}[price_data][unit_amount]`);
    const quantity = optionalInteger(item, 'quantity', `${at}[quantity]`);
    if (unitAmount === undefined || unitAmount < 0) {
      throw invalidRequest(
        'A non-negative unit_amount is required.',
        `${at}[price_data][unit_amount]`,
      );
    }
    if (quantity === undefined || quantity < 1) {
      throw invalidRequest('A quantity of at least 1 is required.', `${at}[quantity]`);
    }
    // Kept on the line as the currency check below needs it; Stripe wants one per session.
    const currency = readCurrency(priceData, 'currency', `${at}[price_data][currency]`);
    return { name, unitAmount, quantity, currency };
  });
}

/** A redirect URL: Stripe takes only absolute http(s) URLs (the page redirects browsers to it). */
function readUrl(params: FormObject, name: string): string | null {
  const value = optionalString(params, name);
  if (value === undefined) return null;
  let protocol = '';
  try {
    protocol = new URL(value.replaceAll('{CHECKOUT_SESSION_ID}', 'cs')).protocol;
  } catch {
    // refused below
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidRequest(`Not a valid URL: ${name}`, name, 'url_invalid');
  }
  return value;
}

function readIntentData(params: FormObject, name: string, allowed: readonly string[]) {
  const data = optionalObject(params, name) ?? {};
  rejectUnknown(data, allowed, name);
  return data;
}

export function createCheckoutRoutes(deps: {
  state: EmulatorState;
  checkout: CheckoutTransitions;
  /** Where the checkout page is served (the session's `url`). */
  publicBaseUrl: () => string;
}): ApiRoute[] {
  const { state, checkout } = deps;

  function create(params: FormObject): EmulatedSession {
    const mode = requiredString(params, 'mode');
    if (mode !== 'payment' && mode !== 'setup') {
      throw invalidRequest(`The emulator supports mode payment and setup, not ${mode}.`, 'mode');
    }
    const now = state.now();
    const customer = optionalString(params, 'customer') ?? null;
    if (customer) state.customer(customer, 'customer');
    const customerCreation = optionalString(params, 'customer_creation') ?? null;
    if (customerCreation !== null) {
      if (mode !== 'payment' || customer) {
        throw invalidRequest(
          'customer_creation can only be used in payment mode without a customer.',
          'customer_creation',
        );
      }
      if (customerCreation !== 'always' && customerCreation !== 'if_required') {
        throw invalidRequest(`Invalid customer_creation: ${customerCreation}`, 'customer_creation');
      }
    }
    const expiresAt = optionalInteger(params, 'expires_at') ?? now + 24 * 3600;
    if (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600) {
      throw invalidRequest('expires_at must be 30 minutes to 24 hours from now.', 'expires_at');
    }
    const clientReferenceId = optionalString(params, 'client_reference_id') ?? null;
    if (clientReferenceId !== null && clientReferenceId.length > 200) {
      throw invalidRequest('client_reference_id is at most 200 characters.', 'client_reference_id');
    }
    const piData = readIntentData(params, 'payment_intent_data', [
      'metadata',
      'description',
      'setup_future_usage',
    ]);
    const siData = readIntentData(params, 'setup_intent_data', ['metadata', 'description']);
    let lines: SessionLine[] = [];
    let currency = params.currency === undefined ? null : readCurrency(params, 'currency');
    if (mode === 'payment') {
      if (params.setup_intent_data !== undefined) {
        throw invalidRequest('setup_intent_data is for setup mode.', 'setup_intent_data');
      }
      const read = readLines(params);
      currency ??= read[0].currency;
      if (read.some((line) => line.currency !== currency)) {
        throw invalidRequest('All line items must have the same currency.', 'line_items');
      }
      lines = read.map(({ name, unitAmount, quantity }) => ({ name, unitAmount, quantity }));
    } else if (params.line_items !== undefined || params.payment_intent_data !== undefined) {
      const param = params.line_items !== undefined ? 'line_items' : 'payment_intent_data';
      throw invalidRequest(`${param} cannot be used in setup mode.`, param);
    }
    const total = lines.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0);
    if (mode === 'payment') checkChargeAmount(total, currency as string, 'line_items');
    const setupFutureUsage = optionalString(piData, 'setup_future_usage') ?? null;
    if (setupFutureUsage !== null && !['off_session', 'on_session'].includes(setupFutureUsage)) {
      throw invalidRequest(
        `Invalid setup_future_usage: ${setupFutureUsage}`,
        'payment_intent_data',
      );
    }
    const id = newId('cs_test');
    const session: EmulatedSession = {
      id,
      object: 'checkout.session',
      created: now,
      livemode: false,
      mode,
      status: 'open',
      payment_status: mode === 'payment' ? 'unpaid' : 'no_payment_required',
      amount_subtotal: mode === 'payment' ? total : null,
      amount_total: mode === 'payment' ? total : null,
      currency,
      customer,
      customer_creation: customerCreation as EmulatedSession['customer_creation'],
      customer_email: optionalString(params, 'customer_email') ?? null,
      client_reference_id: clientReferenceId,
      metadata: readMetadata(params),
      payment_intent: null,
      setup_intent: null,
      success_url: readUrl(params, 'success_url'),
      cancel_url: readUrl(params, 'cancel_url'),
      url: `${deps.publicBaseUrl()}/checkout/${id}`,
      expires_at: expiresAt,
    };
    const record: SessionRecord = {
      session,
      lines,
      paymentIntentData: {
        metadata: readMetadata(piData, 'metadata', 'payment_intent_data[metadata]'),
        description: optionalString(piData, 'description') ?? null,
        setupFutureUsage:
          setupFutureUsage as SessionRecord['paymentIntentData']['setupFutureUsage'],
      },
      setupIntentMetadata: readMetadata(siData, 'metadata', 'setup_intent_data[metadata]'),
      paymentMethod: null,
    };
    state.sessions.set(id, record);
    return session;
  }

  const sessions = () => [...state.sessions.values()].map((record) => record.session);

  return [
    {
      method: 'POST',
      path: '/v1/checkout/sessions',
      params: CREATE_PARAMS,
      handle: (r) => create(r.params),
    },
    {
      method: 'GET',
      path: '/v1/checkout/sessions/:id',
      params: [],
      handle: ({ id }) => state.session(id).session,
    },
    {
      method: 'GET',
      path: '/v1/checkout/sessions',
      params: [...LIST_PARAMS, 'payment_intent', 'customer', 'status', 'client_reference_id'],
      handle: ({ params }) => {
        const filters = ['payment_intent', 'customer', 'status', 'client_reference_id'] as const;
        const wanted = filters.map((name) => [name, optionalString(params, name)] as const);
        return listPage(sessions(), params, '/v1/checkout/sessions', 'checkout.session', (s) =>
          wanted.every(([name, value]) => value === undefined || s[name] === value),
        );
      },
    },
    {
      method: 'POST',
      path: '/v1/checkout/sessions/:id/expire',
      params: [],
      handle: ({ id, request }) => checkout.expire(id, request),
    },
  ];
}
