import type Stripe from 'stripe';
import type { Logger } from '../../../../lib/logging.js';

/** What acting on one provider event came to. */
export interface HandledEvent {
  /** HANDLED: something was done (or had been done by an earlier delivery); IGNORED: nothing to do. */
  outcome: 'HANDLED' | 'IGNORED';
  /** Why, for people (stored with the event; never a secret or card data). */
  detail?: string;
}

/**
 * Acts on one verified event. Must be idempotent: the provider delivers an event at least once,
 * in any order, and two deliveries may run at once. Throw to have the provider retry it.
 */
export type EventHandler = (
  event: Stripe.Event,
  context: { logger: Logger; requestId: string },
) => Promise<HandledEvent>;

/** The handlers by event type; each feature (checkout, refunds, disputes, ...) adds its own. */
export type EventHandlers = Partial<Record<Stripe.Event.Type, EventHandler>>;

/** Joins feature handler maps; two features handling one type are chained in order. */
export function combineHandlers(...maps: EventHandlers[]): EventHandlers {
  const combined: EventHandlers = {};
  for (const map of maps) {
    for (const [type, handler] of Object.entries(map) as Array<[Stripe.Event.Type, EventHandler]>) {
      const before = combined[type];
      combined[type] = before
        ? async (event, context) => {
            const first = await before(event, context);
            const second = await handler(event, context);
            return first.outcome === 'HANDLED' ? first : second;
          }
        : handler;
    }
  }
  return combined;
}
