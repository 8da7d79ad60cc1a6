/**
 * The HTTP plumbing the OpenAI-compatible and Anthropic adapters share: one pooled keep-alive
 * connection set per adapter, JSON and event-stream POSTs, and every failure turned into a
 * ProviderError of the kind routing acts on (see types.ts).
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { headerValue } from '../../../lib/http/headers.js';
import { injectTraceHeaders } from '../../../lib/tracing/spans.js';
import {
  parseServerSentEvents,
  type ServerSentEvent,
} from '../../../lib/http/server-sent-events.js';
import { ProviderError, type ProviderErrorKind } from './types.js';

/** What the HTTP adapters are built from. */
export interface HttpAdapterOptions {
  /** Where the API lives, e.g. `https://api.openai.com/v1`; a query string is kept on every call. */
  baseUrl: string;
  /** The API key; an empty string sends none (a local vLLM or Ollama needs none). */
  apiKey: string;
  /**
   * The connection pool to send through; the adapter leaves it open on `close()`.
   * @default a keep-alive undici Agent of the adapter's own, closed by `close()`
   */
  dispatcher?: Dispatcher;
}

export interface ProviderHttp {
  /** POSTs JSON and returns the response body checked against `schema`. */
  postJson<T>(path: string, body: unknown, schema: z.ZodType<T>, signal: AbortSignal): Promise<T>;
  /** POSTs JSON and yields the response's server-sent events until the body ends. */
  postEventStream(
    path: string,
    body: unknown,
    signal: AbortSignal,
  ): AsyncGenerator<ServerSentEvent>;
  close(): Promise<void>;
}

export interface ProviderHttpOptions {
  /** Names the provider in error messages, e.g. `Anthropic (api.anthropic.com)`. */
  provider: string;
  baseUrl: string;
  /** Sent on every request (the credentials among them). */
  headers: Record<string, string>;
  /** Removed from any provider message we repeat, should the provider echo it. */
  secret: string;
  dispatcher?: Dispatcher;
}

const MAX_PROVIDER_MESSAGE = 300;

// Long only as a factory: it wires or returns short methods, each read on its own.
export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const { provider, secret } = options;
  // Idle connections are kept 10 s (undici's default is 4 s) unless the server's Keep-Alive hint
  // says less; call timeouts come from the saga's signal, not from the pool.
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });

  const send = async (path: string, body: unknown, signal: AbortSignal, accept: string) => {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(joinUrl(options.baseUrl, path), {
        method: 'POST',
        // The trace context of the call's GenAI span, for providers (and emulators) that trace.
        headers: injectTraceHeaders({
          ...options.headers,
          'content-type': 'application/json',
          accept,
        }),
        body: JSON.stringify(body),
        signal,
        dispatcher,
      });
    } catch (error) {
      throw transportError(error, signal, provider);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw transportError(error, signal, provider);
    }
    throw statusError(response.statusCode, response.headers, text, provider, secret);
  };

  return {
    async postJson(path, body, schema, signal) {
      const response = await send(path, body, signal, 'application/json');
      let text: string;
      try {
        text = await response.body.text();
      } catch (error) {
        throw transportError(error, signal, provider);
      }
      return decodeJson(text, schema, `${provider}: response`);
    },

    async *postEventStream(path, body, signal) {
      const response = await send(path, body, signal, 'text/event-stream');
      const events = parseServerSentEvents(response.body)[Symbol.asyncIterator]();
      let ended = false;
      try {
        for (;;) {
          let next: IteratorResult<ServerSentEvent>;
          try {
            next = await events.next();
          } catch (error) {
            throw transportError(error, signal, provider);
          }
          if (next.done) break;
          yield next.value;
        }
        ended = true;
      } finally {
        // A consumer that stops early leaves a half-read body: the connection cannot be reused.
        if (!ended) response.body.destroy();
      }
    },

    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/** Parses `text` as JSON of the shape `schema` describes, or throws BAD_RESPONSE. */
export function decodeJson<T>(text: string, schema: z.ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProviderError('BAD_RESPONSE', `${what} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ProviderError('BAD_RESPONSE', `${what} has an unexpected shape${where}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Appends `path` to the base URL's path, keeping its query (Azure's `?api-version=`). */
export function joinUrl(baseUrl: string, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  return url;
}

/** The kind a non-2xx status means (types.ts); Anthropic's 529 "overloaded" is a 5xx like any. */
export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401 || status === 403) return 'AUTH';
  if (status >= 500) return 'SERVER_ERROR';
  if (status >= 400) return 'BAD_REQUEST';
  return 'BAD_RESPONSE';
}

/**
 * How long the provider asks us to wait: `retry-after-ms` (OpenAI, Azure) first, then
 * `retry-after` as seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(
  headers: IncomingHttpHeaders,
  now: number = Date.now(),
): number | undefined {
  const milliseconds = headerValue(headers, 'retry-after-ms');
  if (milliseconds !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(milliseconds)) {
    return Math.round(Number(milliseconds));
  }
  const after = headerValue(headers, 'retry-after');
  if (after === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.round(Number(after) * 1000);
  // An HTTP date names its day and month; Date.parse alone would take '-5' for a year.
  const date = /[a-z]/i.test(after) ? Date.parse(after) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function statusError(
  status: number,
  headers: IncomingHttpHeaders,
  body: string,
  provider: string,
  secret: string,
): ProviderError {
  const kind = kindForStatus(status);
  // OpenAI's 401 message repeats part of the key it was given: say nothing of it.
  const detail = status === 401 ? undefined : providerMessage(body, secret);
  return new ProviderError(
    kind,
    `${provider} answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
    { status, retryAfterMs: parseRetryAfterMs(headers) },
  );
}

/** `error.message` from an OpenAI or Anthropic error body, shortened and with the key removed. */
function providerMessage(body: string, secret: string): string | undefined {
  let message: unknown;
  try {
    message = (JSON.parse(body) as { error?: { message?: unknown } } | null)?.error?.message;
  } catch {
    return undefined;
  }
  if (typeof message !== 'string' || message === '') return undefined;
  const safe = secret ? message.split(secret).join('[redacted]') : message;
  return safe.length > MAX_PROVIDER_MESSAGE ? `${safe.slice(0, MAX_PROVIDER_MESSAGE)}…` : safe;
}

/** A failure without an HTTP status: our abort, a timeout, or the connection. */
export function transportError(
  error: unknown,
  signal: AbortSignal,
  provider: string,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal.aborted) {
    // Not `instanceof Error`: AbortSignal.timeout()'s DOMException may come from another realm.
    const reason = signal.reason as { name?: unknown } | undefined;
    const name = typeof reason?.name === 'string' ? reason.name : String(reason);
    const message =
      name === 'TimeoutError'
        ? `${provider}: timed out (the call's deadline passed)`
        : `${provider}: call aborted before it finished (${name})`;
    return new ProviderError('TIMEOUT', message, { cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ProviderError('TIMEOUT', `${provider}: timed out waiting (${code})`, {
      cause: error,
    });
  }
  const what = typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown';
  return new ProviderError('NETWORK', `${provider}: connection failed (${what})`, { cause: error });
}
