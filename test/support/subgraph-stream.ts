import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { parseServerSentEvents, type ServerSentEvent } from '../../lib/http/server-sent-events.js';

/** One `event: next` payload of a subscription. */
export interface StreamResult<D = Record<string, unknown>> {
  data?: D | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface OpenSubscription<D> {
  status: number;
  contentType: string;
  /** The JSON body of a refusal (status 400/401). */
  refusal?: unknown;
  /** The stream's events as they arrive, `complete` included. */
  events: AsyncIterator<ServerSentEvent>;
  /** Reads every `next` payload to the end (the `complete` event). */
  readAll(): Promise<{ results: Array<StreamResult<D>>; completed: boolean }>;
  /** Reads the next `next` payload; undefined at the end. */
  nextResult(): Promise<StreamResult<D> | undefined>;
  /** Closes the connection, as a client that leaves. */
  close(): void;
}

/**
 * A subscription sent to a subgraph as the gateway sends it: POST with `accept: text/event-stream`
 * and an internal token, read with the platform's own SSE parser.
 */
export async function subscribeOverSse<D = Record<string, unknown>>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<OpenSubscription<D>> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      [INTERNAL_TOKEN_HEADER]: token,
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const contentType = response.headers.get('content-type') ?? '';
  const refusal = contentType.includes('json') ? await response.json() : undefined;
  const events = parseServerSentEvents(
    (response.body ?? new ReadableStream()) as unknown as AsyncIterable<Uint8Array>,
  );
  const nextResult = async (): Promise<StreamResult<D> | undefined> => {
    for (;;) {
      const next = await events.next();
      if (next.done || next.value.event === 'complete') return undefined;
      if (next.value.event === 'next') return JSON.parse(next.value.data) as StreamResult<D>;
    }
  };
  return {
    status: response.status,
    contentType,
    refusal,
    events,
    nextResult,
    async readAll() {
      const results: Array<StreamResult<D>> = [];
      for (;;) {
        const next = await events.next();
        if (next.done) return { results, completed: false };
        if (next.value.event === 'complete') return { results, completed: true };
        if (next.value.event === 'next') results.push(JSON.parse(next.value.data));
      }
    },
    close: () => abort.abort(),
  };
}
