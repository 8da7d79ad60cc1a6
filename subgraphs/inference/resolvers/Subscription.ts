import { badUserInput } from '../../../lib/errors.js';
import type { InferenceContext } from '../context.js';
import type {
  GenerationEventResolvers,
  SubscriptionResolvers,
} from '../generated/resolvers-types.js';
import { generateStream } from '../service/saga/generate-stream.js';
import { sagaContextOf } from '../service/saga/saga-types.js';
import type { StreamEvent } from '../service/saga/stream-events.js';
import { generateRequestOf, teamForCall } from './inputs.js';
import { resolvePromptInput } from './prompt-input.js';

/**
 * `subscribe` only, no `resolve`: graphql-middleware wraps `subscribe` in shield's rule only when
 * the field has no resolver of its own (with one, shield would guard each event, after the paid
 * call had started). The default resolver reads each event's `generateStream`.
 */
export const Subscription: SubscriptionResolvers<InferenceContext> = {
  generateStream: {
    subscribe: async (_parent, { input }, ctx) => {
      if (input.flowStep != null) {
        throw badUserInput('flowStep is taken by generate, not generateStream.', {
          field: 'flowStep',
        });
      }
      const teamId = teamForCall(ctx.principal, input.teamId);
      const resolved = await resolvePromptInput(ctx, input, teamId);
      const events = await generateStream(
        ctx.saga,
        { ...sagaContextOf(ctx, teamId), prompt: resolved.prompt },
        generateRequestOf(resolved.input),
        { ...ctx.streams, clientGone: ctx.signal },
      );
      return asPayloads(events);
    },
  },
};

/** Each event as the subscription's payload, `return()` passed through (the client left). */
function asPayloads(
  events: AsyncIterableIterator<StreamEvent>,
): AsyncIterableIterator<{ generateStream: StreamEvent }> {
  const payloads: AsyncIterableIterator<{ generateStream: StreamEvent }> = {
    async next() {
      const next = await events.next();
      return next.done ? next : { value: { generateStream: next.value }, done: false };
    },
    async return() {
      await events.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => payloads,
  };
  return payloads;
}

// Every event the saga makes names its type.
export const GenerationEvent: GenerationEventResolvers<InferenceContext> = {
  __resolveType: (event) => event.__typename!,
};
