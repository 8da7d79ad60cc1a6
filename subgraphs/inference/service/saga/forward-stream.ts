import type { Logger } from '../../../../lib/logging.js';
import {
  ProviderError,
  type ChatStreamChunk,
  type FinishReason,
  type TokenUsage,
  type ToolCallDelta,
} from '../../providers/types.js';
import type { OpenedStream } from './open-provider-stream.js';

/** How a started stream ended. */
export type StreamEnd =
  /** The provider finished: its finish reason and the usage it reported. */
  | { outcome: 'COMPLETED'; finishReason: FinishReason; usage: TokenUsage }
  /**
   * CANCELLED: the client left; INTERRUPTED: the provider broke off, failed or went idle;
   * SHUTDOWN: the server is stopping. `usage` only if the provider had reported it.
   */
  | { outcome: 'CANCELLED' | 'INTERRUPTED' | 'SHUTDOWN'; usage?: undefined };

/**
 * Forwards an open provider stream's deltas (text and tool-call pieces) to `emit` until the
 * provider finishes, breaks off, stays silent past `idleTimeoutMs`, or the stream is stopped
 * (`stopped`, whose setter also aborts `upstream`). Never retries: the first token is out. Reads
 * the next chunk only once `emit` resolves, so a slow client holds the provider back.
 */
export async function forwardStream(
  opened: OpenedStream,
  options: {
    generationId: string;
    idleTimeoutMs: number;
    upstream: AbortController;
    stopped: { cancelled: boolean; shutdown: boolean };
    /** Resolves when the next chunk may be read (the client has taken the delta). */
    emit(delta: { text: string; toolCalls: ToolCallDelta[] }): Promise<void>;
    logger: Logger;
  },
): Promise<StreamEnd> {
  const { stopped } = options;
  let chunk: ChatStreamChunk = opened.first;
  let finished = false;
  try {
    for (;;) {
      if (stopped.cancelled || stopped.shutdown) break;
      if (chunk.type === 'done') {
        finished = true;
        return { outcome: 'COMPLETED', finishReason: chunk.finishReason, usage: chunk.usage };
      }
      if (chunk.type === 'delta' && chunk.text !== '') {
        await options.emit({ text: chunk.text, toolCalls: [] });
      } else if (chunk.type === 'toolCall') {
        await options.emit({ text: '', toolCalls: [chunk.delta] });
      }
      const next = await nextWithin(opened.rest, options.idleTimeoutMs, options.upstream);
      if (next.done) throw new ProviderError('BAD_RESPONSE', 'the stream ended without its end');
      chunk = next.value;
    }
  } catch (error) {
    if (!stopped.cancelled && !stopped.shutdown) {
      options.logger.warn(
        { err: error, generationId: options.generationId },
        'provider stream broke off after its first token',
      );
      return { outcome: 'INTERRUPTED' };
    }
  } finally {
    // A finished stream has been read to its end; any other stops its provider request now.
    if (finished) void opened.rest.return?.().catch(() => undefined);
    else options.upstream.abort();
  }
  return { outcome: stopped.cancelled ? 'CANCELLED' : 'SHUTDOWN' };
}

/** The next chunk, or a TIMEOUT failure (the request aborted) after `idleMs` of silence. */
async function nextWithin(
  rest: AsyncIterator<ChatStreamChunk>,
  idleMs: number,
  upstream: AbortController,
): Promise<IteratorResult<ChatStreamChunk>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      upstream.abort();
      reject(new ProviderError('TIMEOUT', `no chunk for ${idleMs} ms`));
    }, idleMs);
  });
  try {
    return await Promise.race([rest.next(), idle]);
  } finally {
    clearTimeout(timer);
  }
}
