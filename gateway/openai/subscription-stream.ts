import type { ExecutionResult } from 'graphql';
import type { OpenSubscription } from '../streaming/open-subscription.js';
import { StreamBrokenError, SubscriptionRefusedError } from '../streaming/subscription-errors.js';
import { OpenAiError, fromGraphQLError } from './errors.js';
import type { OpenStream } from './routes.js';

const asOpenAiError = (error: unknown): unknown => {
  if (error instanceof SubscriptionRefusedError || error instanceof StreamBrokenError) {
    const first = error.errors[0];
    return first ? fromGraphQLError(first) : error;
  }
  return error;
};

async function* translated(events: AsyncIterableIterator<ExecutionResult>) {
  try {
    yield* events;
  } catch (error) {
    throw asOpenAiError(error);
  }
}

/**
 * /v1 streams through the gateway's own subscription path (the one /graphql streams with), so
 * validation, limits, the owning subgraph and graceful shutdown are the same; its refusals and
 * broken streams come back as OpenAiErrors.
 */
export function subscriptionStream(openSubscription: OpenSubscription): OpenStream {
  return async (context, query, variables, signal) => {
    try {
      const events = await openSubscription({
        principal: context.principal,
        requestId: context.requestId,
        query,
        variables,
        signal,
      });
      return translated(events);
    } catch (error) {
      const translatedError = asOpenAiError(error);
      if (translatedError instanceof OpenAiError) throw translatedError;
      throw error;
    }
  };
}
