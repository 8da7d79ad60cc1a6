/**
 * What the emulated Stripe account holds: its objects by id, in creation order, and the events it
 * emitted. Events carry a copy of their object as it was when they happened (later changes do not
 * reach an event already sent) and are handed to webhook delivery as they are stored.
 */
import type {
  EmulatedCharge,
  EmulatedCustomer,
  EmulatedDispute,
  EmulatedEvent,
  EmulatedEventType,
  EmulatedPaymentIntent,
  EmulatedPaymentMethod,
  EmulatedRefund,
  EmulatedSession,
  EmulatedSetupIntent,
  EventObject,
  EventRequest,
} from './emulator-objects.js';
import { newId } from './emulator-objects.js';
import { resourceMissing } from './request-params.js';

/** A line of a payment-mode session, kept for the checkout page (Stripe lists them separately). */
export interface SessionLine {
  name: string;
  unitAmount: number;
  quantity: number;
}

/** A Checkout Session with what it was created with that the session object does not show. */
export interface SessionRecord {
  session: EmulatedSession;
  lines: SessionLine[];
  paymentIntentData: {
    metadata: Record<string, string>;
    description: string | null;
    setupFutureUsage: 'off_session' | 'on_session' | null;
  };
  setupIntentMetadata: Record<string, string>;
  /** The payment method "entered" on the page; kept so an async payment settles with it. */
  paymentMethod: string | null;
}

export interface EmulatorStateOptions {
  /** The API version events say they were rendered with. */
  apiVersion: string;
  /** The emulator's clock, in Unix seconds. */
  now: () => number;
  /** How many webhook endpoints an event is sent to (its `pending_webhooks`). */
  endpointCount: () => number;
  /** Receives each event once it is stored. */
  onEvent: (event: EmulatedEvent, payload: string) => void;
}

export type EmulatorState = ReturnType<typeof createEmulatorState>;

export function createEmulatorState(options: EmulatorStateOptions) {
  const stores = {
    customers: new Map<string, EmulatedCustomer>(),
    sessions: new Map<string, SessionRecord>(),
    paymentIntents: new Map<string, EmulatedPaymentIntent>(),
    charges: new Map<string, EmulatedCharge>(),
    refunds: new Map<string, EmulatedRefund>(),
    disputes: new Map<string, EmulatedDispute>(),
    setupIntents: new Map<string, EmulatedSetupIntent>(),
    paymentMethods: new Map<string, EmulatedPaymentMethod>(),
    events: new Map<string, EmulatedEvent>(),
    // The bytes first sent for each event, so a resend is identical to the original.
    payloads: new Map<string, string>(),
  };
  // Which store an id belongs to, by its prefix (`cs_test_` before `cs_`).
  const byPrefix: [string, Map<string, unknown>][] = [
    ['cus_', stores.customers],
    ['pi_', stores.paymentIntents],
    ['ch_', stores.charges],
    ['re_', stores.refunds],
    ['dp_', stores.disputes],
    ['seti_', stores.setupIntents],
    ['pm_', stores.paymentMethods],
    ['evt_', stores.events],
  ];

  function get<T>(store: Map<string, T>, objectName: string, id: string, param = 'id'): T {
    const found = store.get(id);
    if (!found) throw resourceMissing(objectName, id, param);
    return found;
  }

  return {
    ...stores,
    now: options.now,

    /** Any stored object by id, for `expand[]`. */
    lookup(id: string): object | undefined {
      if (id.startsWith('cs_')) return stores.sessions.get(id)?.session;
      const store = byPrefix.find(([prefix]) => id.startsWith(prefix))?.[1];
      return store?.get(id) as object | undefined;
    },

    session: (id: string, param?: string) => get(stores.sessions, 'checkout.session', id, param),
    paymentIntent: (id: string, param?: string) =>
      get(stores.paymentIntents, 'payment_intent', id, param),
    charge: (id: string, param?: string) => get(stores.charges, 'charge', id, param),
    customer: (id: string, param?: string) => get(stores.customers, 'customer', id, param),
    paymentMethod: (id: string, param?: string) =>
      get(stores.paymentMethods, 'payment_method', id, param),
    dispute: (id: string, param?: string) => get(stores.disputes, 'dispute', id, param),
    refund: (id: string, param?: string) => get(stores.refunds, 'refund', id, param),

    /** Stores an event about `object` (copied as it is now) and hands it to delivery. */
    emit(type: EmulatedEventType, object: EventObject, request: EventRequest): EmulatedEvent {
      const event: EmulatedEvent = {
        id: newId('evt'),
        object: 'event',
        api_version: options.apiVersion,
        created: options.now(),
        data: { object: structuredClone(object) },
        livemode: false,
        pending_webhooks: options.endpointCount(),
        request,
        type,
      };
      const payload = JSON.stringify(event);
      stores.events.set(event.id, event);
      stores.payloads.set(event.id, payload);
      options.onEvent(event, payload);
      return event;
    },

    /** Called once an event reached the endpoint, as Stripe lowers `pending_webhooks`. */
    markDelivered(eventId: string): void {
      const event = stores.events.get(eventId);
      if (event && event.pending_webhooks > 0) event.pending_webhooks -= 1;
    },

    clear(): void {
      for (const store of Object.values(stores)) store.clear();
    },
  };
}
