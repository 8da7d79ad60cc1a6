import type { ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { createChunkMaker } from './chat-response.js';
import { OpenAiError, fromGraphQLError } from './errors.js';
import type { StreamEvent } from './operations.js';

export const GENERATION_ID_HEADER = 'x-modelgraph-generation-id';

/** The stream event a subscription result carries; its errors thrown as an OpenAiError. */
function eventOf(result: ExecutionResult): StreamEvent {
  const first = result.errors?.[0];
  if (first) throw fromGraphQLError(first.toJSON ? first.toJSON() : first);
  const event = (result.data as { generateStream?: StreamEvent } | null | undefined)
    ?.generateStream;
  if (!event)
    throw new OpenAiError(502, 'The stream sent an empty event.', 'api_error', 'bad_event');
  return event;
}

const idOf = (event: StreamEvent) =>
  event.__typename === 'GenerationDelta' ? event.generationId : event.generation.id;

/**
 * Writes a generateStream subscription as OpenAI's server-sent chat chunks: a role chunk, content
 * and tool-call deltas, a finish chunk, a usage chunk (choices: []) only when the caller asked with
 * `stream_options.include_usage`, then `data: [DONE]`. Nothing is written before the first event,
 * so a refusal (no funds, rate limited, unknown model...) is thrown for the caller to answer as a
 * plain HTTP error. A failure after that is an SSE `data: {"error": ...}` event, as OpenAI sends
 * it, and the stream ends; so does a stream that stops without its last event, never silently.
 */
export async function writeChatStream(options: {
  res: ServerResponse;
  events: AsyncIterable<ExecutionResult>;
  model: string;
  includeUsage: boolean;
  headers?: Record<string, string>;
  /** An SSE comment after this long without a chunk, so proxies keep the stream open. */
  heartbeatMs: number;
}): Promise<void> {
  const { res } = options;
  const iterator = options.events[Symbol.asyncIterator]();
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    const first = await iterator.next();
    if (first.done) {
      throw new OpenAiError(
        502,
        'The stream ended before it began.',
        'api_error',
        'provider_error',
      );
    }
    let event = eventOf(first.value);
    if (event.__typename === 'GenerationFailed') {
      throw fromGraphQLError({ message: event.message, extensions: { code: event.code } });
    }
    const chunks = createChunkMaker({
      generationId: idOf(event),
      model: options.model,
      created: Math.floor(Date.now() / 1000),
      includeUsage: options.includeUsage,
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      [GENERATION_ID_HEADER]: idOf(event),
      ...options.headers,
    });
    // Clients (the openai SDK too) skip SSE comments.
    heartbeat = setInterval(() => {
      if (!res.destroyed) res.write(': keep-alive\n\n');
    }, options.heartbeatMs);
    const send = (data: unknown) => {
      heartbeat?.refresh();
      res.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    send(chunks.role());
    for (;;) {
      if (res.destroyed) return;
      if (event.__typename === 'GenerationDelta') {
        const chunk = chunks.delta(event);
        if (chunk) send(chunk);
      } else if (event.__typename === 'GenerationCompleted') {
        send(chunks.finish(event.generation));
        if (options.includeUsage) send(chunks.usage(event.generation));
        res.end('data: [DONE]\n\n');
        return;
      } else {
        send({
          error: fromGraphQLError({ message: event.message, extensions: { code: event.code } })
            .body,
        });
        res.end();
        return;
      }
      let next: IteratorResult<ExecutionResult>;
      try {
        next = await iterator.next();
        if (next.done)
          throw new OpenAiError(
            502,
            'The stream broke off.',
            'api_error',
            'provider_stream_interrupted',
          );
        event = eventOf(next.value);
      } catch (error) {
        if (res.destroyed) return;
        const failure =
          error instanceof OpenAiError
            ? error
            : new OpenAiError(500, 'The stream failed.', 'api_error', 'internal_error');
        send({ error: failure.body });
        res.end();
        return;
      }
    }
  } finally {
    clearInterval(heartbeat);
    await iterator.return?.();
  }
}
