import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { codedError } from '../../../../lib/errors.js';
import { ProviderError, type ChatStreamChunk } from '../../providers/types.js';
import type { Attempt } from '../routing/run-attempts.js';
import type { ChatCall } from './chat-call.js';
import { chatRequestFor } from './chat-request.js';
import type { GenerateRequest } from './generate.js';
import { callProviders } from './provider-calls.js';
import type { SagaDeps } from './saga-types.js';

/** A provider stream that has produced its first chunk: from here on, no retry and no fallback. */
export interface OpenedStream {
  target: ResolvedTarget;
  attempts: Attempt[];
  first: ChatStreamChunk;
  rest: AsyncIterator<ChatStreamChunk>;
}

/**
 * Step "provider call" of a stream: the targets in order with the saga's retries and fallback,
 * where one attempt is "open the stream and read its first chunk". `stop` aborts the upstream
 * request at any time, before or after the first chunk. The attempt's signal (its timeout and
 * the call's deadline) keeps bounding the stream after the first chunk, so it never outlives the
 * hold, which is sized for the deadline.
 */
export async function openProviderStream(
  deps: SagaDeps,
  call: ChatCall,
  request: GenerateRequest,
  stop: AbortSignal,
): Promise<OpenedStream> {
  const { value, target, attempts } = await callProviders(
    deps,
    call.ordered,
    call.timing,
    async (adapter, target, signal) => {
      try {
        const chunks = adapter.chatStream(chatRequestFor(request, call, target), {
          signal: AbortSignal.any([signal, stop]),
        });
        const rest = chunks[Symbol.asyncIterator]();
        const first = await rest.next();
        if (first.done) {
          throw new ProviderError('BAD_RESPONSE', 'the provider stream ended without a chunk');
        }
        return { first: first.value, rest };
      } catch (error) {
        // Stopped by us, not failed by the provider: no mark against its health or breaker.
        if (stop.aborted) return null;
        throw error;
      }
    },
    stop,
  );
  if (value === null) {
    throw codedError('BAD_REQUEST', 'The client left before the stream started.');
  }
  return { target, attempts, ...value };
}
