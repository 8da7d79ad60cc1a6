/**
 * A Stripe emulator speaking the wire format of the `stripe` SDK (point the SDK at it with
 * `sdkOptions()`), sending signed webhooks, and serving a TEST MODE checkout page. Billing's tests
 * use it to drive every payment outcome and to break webhook delivery on purpose; `npm start`
 * uses it when no provider key is configured so a newcomer can buy credits offline. It keeps
 * everything in memory: it stands for an outside service, not for one of our stores.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { Logger } from '../../../lib/logging.js';
import { createAccountRoutes } from './account-routes.js';
import { createApiRouter } from './api-router.js';
import { createCheckoutRoutes } from './checkout-routes.js';
import { createCheckoutTransitions, type CheckoutOutcome } from './checkout-transitions.js';
import { createEmulatorHttpHandler } from './emulator-http.js';
import { createEmulatorState } from './emulator-state.js';
import { createIdempotencyCache } from './idempotency.js';
import { createPaymentRoutes } from './payment-routes.js';
import { createPaymentTransitions } from './payment-transitions.js';
import { createWebhookDelivery, type DeliverySettings } from './webhook-delivery.js';

export { signPayload } from './webhook-signature.js';
export type { DeliveryRecord, DeliverySettings, PendingDelivery } from './webhook-delivery.js';
export type * from './emulator-objects.js';

export interface StripeEmulatorOptions {
  /** Where events are POSTed; none: events are only stored (and listable). */
  webhookUrl?: string;
  /** The endpoint's signing secret (`whsec_...`), as the receiver's `constructEvent` gets it. */
  webhookSecret: string;
  /** The one Bearer key accepted. @default any key starting with `sk_test_` */
  secretKey?: string;
  /** The origin the checkout page is reached at (a session's `url`). @default the listening URL */
  publicBaseUrl?: string;
  /** Waits before each webhook retry; attempts = length + 1. @default [1000, 5000, 30000, 120000] */
  retryDelaysMs?: number[];
  /** How long one webhook attempt may take. @default 10000 */
  attemptTimeoutMs?: number;
  /** The `api_version` events carry. @default the `stripe` SDK's pinned version */
  apiVersion?: string;
  logger?: Logger;
}

export type StripeEmulator = ReturnType<typeof createStripeEmulator>;

export function createStripeEmulator(options: StripeEmulatorOptions) {
  const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
  let clockOffset = 0;
  const now = () => Math.floor(Date.now() / 1000) + clockOffset;
  let server: Server | undefined;
  let origin: string | undefined;

  const delivery = createWebhookDelivery({
    secret: options.webhookSecret,
    url: options.webhookUrl,
    retryDelaysMs: options.retryDelaysMs ?? [1_000, 5_000, 30_000, 120_000],
    attemptTimeoutMs: options.attemptTimeoutMs,
    logger: options.logger,
    onDelivered: (eventId) => state.markDelivered(eventId),
  });
  const state = createEmulatorState({
    apiVersion,
    now,
    endpointCount: () => (delivery.url ? 1 : 0),
    onEvent: (event, payload) => delivery.enqueue(event.id, event.type, payload),
  });
  const payments = createPaymentTransitions(state);
  const checkout = createCheckoutTransitions(state, payments);
  const idempotency = createIdempotencyCache();
  const publicBaseUrl = () => options.publicBaseUrl ?? origin ?? 'http://127.0.0.1';
  const router = createApiRouter(
    [
      ...createCheckoutRoutes({ state, checkout, publicBaseUrl }),
      ...createPaymentRoutes({ state, payments }),
      ...createAccountRoutes({ state }),
    ],
    (id) => state.lookup(id),
  );
  const handle = createEmulatorHttpHandler({
    router,
    idempotency,
    state,
    checkout,
    acceptsKey: (key) =>
      options.secretKey ? key === options.secretKey : /^sk_test_\w+$/.test(key),
    apiVersion,
    logger: options.logger,
  });
  // Controls hand out copies: a test holding a returned object cannot change the account.
  const copy = <T>(value: T): T => structuredClone(value);

  return {
    /** Listens (port 0: any free port) and answers the port. */
    async listen(port = 0, host = '127.0.0.1'): Promise<number> {
      const listening = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => {
          options.logger?.error({ err: error }, 'stripe emulator: request failed');
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        });
      });
      await new Promise<void>((resolve) => listening.listen(port, host, resolve));
      server = listening;
      const bound = (listening.address() as AddressInfo).port;
      origin = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
      return bound;
    },
    /** The listening origin, `http://host:port`. */
    get url(): string {
      if (!origin) throw new Error('The Stripe emulator is not listening yet.');
      return origin;
    },
    /** Options for `new Stripe(key, { ...emulator.sdkOptions() })`. */
    sdkOptions(): { host: string; port: number; protocol: 'http' } {
      if (!origin) throw new Error('The Stripe emulator is not listening yet.');
      const { hostname, port } = new URL(origin);
      return { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), protocol: 'http' };
    },
    setWebhookUrl(url: string | undefined): void {
      delivery.setUrl(url);
    },
    async close(): Promise<void> {
      delivery.close();
      if (!server) return;
      const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
      server.closeAllConnections();
      await closing;
      server = undefined;
    },

    // Webhook delivery and its fault controls.
    signingSecret: options.webhookSecret,
    deliveries: delivery.deliveries,
    setDelivery: (changes: Partial<DeliverySettings>) => delivery.setDelivery(changes),
    flush: () => delivery.flush(),
    pendingDeliveries: () => delivery.pendingDeliveries(),
    whenDelivered: () => delivery.whenDelivered(),
    /** Sends a stored event again, same id and content (the dashboard's "Resend"). */
    redeliver(eventId: string): void {
      const event = state.events.get(eventId);
      if (!event) throw new Error(`No such event: ${eventId}`);
      delivery.redeliver(event.id, event.type, state.payloads.get(eventId) as string);
    },
    /** Every event emitted, oldest first. */
    events: () => copy([...state.events.values()]),

    // What a buyer, the bank or the dashboard does.
    completeCheckout: (
      sessionId: string,
      options: { outcome: CheckoutOutcome } = { outcome: 'paid' },
    ) => copy(checkout.complete(sessionId, options.outcome)),
    settleAsyncPayment: (sessionId: string, result: 'succeeded' | 'failed') =>
      copy(checkout.settleAsync(sessionId, result)),
    /** A card declined on the checkout page (the session stays open). @default 'generic_decline' */
    declineCheckout: (sessionId: string, declineCode?: string) =>
      copy(checkout.decline(sessionId, declineCode)),
    expireCheckout: (sessionId: string) => copy(checkout.expire(sessionId)),
    /**
     * The next `count` off-session confirmations fail with a 402 `card_declined`; `declineCode`
     * is the error's `decline_code` ('card_declined', the default, stands for Stripe's
     * `generic_decline`). Checkout page payments are not affected.
     */
    failNextPayments(count: number, declineCode = 'card_declined'): void {
      payments.failNextPayments(
        count,
        declineCode === 'card_declined' ? 'generic_decline' : declineCode,
      );
    },
    /** A refund made in the dashboard: no API request, the same events. @default amount: the rest */
    refundFromDashboard: (paymentIntentId: string, amount?: number) =>
      copy(
        payments.refund(
          { paymentIntent: paymentIntentId, amount },
          { id: null, idempotency_key: null },
        ),
      ),
    openDispute: (paymentIntentId: string, amount?: number) =>
      copy(payments.openDispute(paymentIntentId, amount)),
    closeDispute: (disputeId: string, outcome: 'won' | 'lost') =>
      copy(payments.closeDispute(disputeId, outcome)),
    /** A succeeded payment no event announced: for reconciliation tests. */
    createPaidPaymentWithoutEvent(input: {
      amount: number;
      currency: string;
      metadata?: Record<string, string>;
      customer?: string;
    }) {
      if (input.customer) state.customer(input.customer, 'customer');
      const pi = payments.createIntent({
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        customer: input.customer ?? null,
        paymentMethod: null,
        metadata: input.metadata ?? {},
      });
      payments.succeed(pi, { id: null, idempotency_key: null }, true);
      return copy(pi);
    },

    /** The account's clock in Unix seconds; set it to move time (sessions past `expires_at` expire). */
    get clock(): number {
      return now();
    },
    set clock(seconds: number) {
      clockOffset = seconds - Math.floor(Date.now() / 1000);
      checkout.sweepExpired();
    },

    /** Forgets every object, event, key, queued delivery and setting; the clock returns to now. */
    reset(): void {
      state.clear();
      idempotency.clear();
      payments.reset();
      delivery.reset();
      clockOffset = 0;
    },
  };
}
