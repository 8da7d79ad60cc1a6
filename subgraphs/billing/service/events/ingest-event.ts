import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import type Stripe from 'stripe';
import { createGroupCommit } from '../../../../lib/group-commit.js';
import type { Logger } from '../../../../lib/logging.js';
import type { ServiceMetrics } from '../../../../lib/metrics.js';
import type {
  EventStore,
  ProviderEventRow,
  ReceivedDelivery,
  SettledEvent,
} from '../../store/event-store.js';
import type { EventHandlers } from './event-handlers.js';

/** One settle statement at a time; outcomes that arrive meanwhile are written together. */
const SETTLES_IN_FLIGHT = 1;
/** Receipt statements at once; deliveries that arrive while both are busy are recorded together. */
const RECEIPTS_IN_FLIGHT = 2;
/** Most outcomes, or deliveries, one statement writes. */
const MOST_PER_STATEMENT = 256;

/** The provider's tolerance for a signature's timestamp: older deliveries are refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A delivery refused before anything was stored: answered 400, never retried into success. */
export class RejectedDelivery extends Error {}

export interface IngestedEvent {
  id: string;
  type: string;
  /** DUPLICATE: an earlier delivery already dealt with it; nothing ran again. */
  outcome: 'HANDLED' | 'IGNORED' | 'DUPLICATE';
}

export interface EventIngestionDeps {
  stripe: Stripe;
  webhookSecret: string;
  events: EventStore;
  handlers: EventHandlers;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** The id of the object an event is about (a session, a payment, a refund, a dispute). */
const objectIdOf = (event: Stripe.Event) => {
  const object = event.data.object as { id?: unknown };
  return typeof object.id === 'string' ? object.id : null;
};

/**
 * Takes one webhook delivery: checks its signature with the provider's library (raw body, 5-minute
 * tolerance), records it, acts on it through the handler for its type, and records what came of
 * it. It resolves only once the outcome is durable, so a 2xx means the event is dealt with; a
 * handler that fails leaves the event FAILED and throws, so the provider delivers it again.
 * Concurrent deliveries are recorded together, and their outcomes written together (group
 * commit, decision 88): each delivery still waits for the statement that wrote its own. A
 * redelivery of an event this process is acting on waits for that outcome instead of acting too.
 */
export function createEventIngestion(deps: EventIngestionDeps) {
  const { events, handlers, logger } = deps;
  const settles = createGroupCommit<SettledEvent, true>(
    async (batch) => {
      await events.settle(batch);
      return batch.map(() => true as const);
    },
    { inFlight: SETTLES_IN_FLIGHT, mostPerBatch: MOST_PER_STATEMENT },
  );
  const receipts = createGroupCommit<ReceivedDelivery, ProviderEventRow>(
    (batch) => events.received(batch),
    { inFlight: RECEIPTS_IN_FLIGHT, mostPerBatch: MOST_PER_STATEMENT },
  );
  /** Events being acted on in this process: a redelivery meanwhile waits for that outcome. */
  const acting = new Map<string, Promise<IngestedEvent>>();
  const received = new Counter({
    name: 'modelgraph_billing_webhook_events_total',
    help: 'Payment-provider events received with a valid signature, by type and outcome.',
    labelNames: ['type', 'outcome'],
    registers: [deps.metrics.registry],
  });
  const rejected = new Counter({
    name: 'modelgraph_billing_webhook_rejected_total',
    help: 'Webhook deliveries refused before anything was stored (bad or stale signature, bad body).',
    labelNames: ['reason'],
    registers: [deps.metrics.registry],
  });

  function verify(payload: string, signature: string | undefined, requestId: string) {
    try {
      return deps.stripe.webhooks.constructEvent(
        payload,
        signature ?? '',
        deps.webhookSecret,
        SIGNATURE_TOLERANCE_SECONDS,
      );
    } catch (error) {
      // The library's message says which check failed; it never contains the secret.
      const reason = signature ? 'signature' : 'unsigned';
      rejected.inc({ reason });
      logger.warn(
        { requestId, reason, error: (error as Error).message, bytes: payload.length },
        'webhook delivery refused',
      );
      throw new RejectedDelivery('The payload is not signed by the payment provider.');
    }
  }

  async function act(event: Stripe.Event, requestId: string): Promise<IngestedEvent> {
    const log = logger.child({ requestId, eventId: event.id, eventType: event.type });
    const handler = handlers[event.type];
    try {
      const handled = handler
        ? await handler(event, { logger: log, requestId })
        : { outcome: 'IGNORED' as const, detail: 'not an event type billing acts on' };
      await settles.submit({
        id: event.id,
        outcome: handled.outcome,
        detail: handled.detail ?? null,
      });
      received.inc({ type: event.type, outcome: handled.outcome });
      return { id: event.id, type: event.type, outcome: handled.outcome };
    } catch (error) {
      received.inc({ type: event.type, outcome: 'FAILED' });
      log.error({ err: error }, 'acting on a provider event failed; the provider will retry it');
      await settles
        .submit({ id: event.id, outcome: 'FAILED', detail: (error as Error).message })
        .catch(() => undefined);
      throw error;
    }
  }

  return async function ingest(
    payload: string,
    signature: string | undefined,
    requestId: string,
  ): Promise<IngestedEvent> {
    const event = verify(payload, signature, requestId);
    const row = await receipts.submit({
      id: event.id,
      type: event.type,
      payloadSha256: createHash('sha256').update(payload).digest('hex'),
      objectId: objectIdOf(event),
    });
    const underWay = acting.get(event.id);
    if (row.outcome === 'HANDLED' || row.outcome === 'IGNORED' || underWay) {
      // Dealt with, or being dealt with here: answer once that outcome is durable (a failure
      // fails this delivery too, so the provider sends it again).
      if (underWay) await underWay;
      received.inc({ type: event.type, outcome: 'DUPLICATE' });
      return { id: event.id, type: event.type, outcome: 'DUPLICATE' };
    }
    const acted = act(event, requestId);
    acting.set(event.id, acted);
    try {
      return await acted;
    } finally {
      acting.delete(event.id);
    }
  };
}

export type EventIngestion = ReturnType<typeof createEventIngestion>;
