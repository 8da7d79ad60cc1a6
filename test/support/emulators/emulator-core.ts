/**
 * What the provider emulators share: a node:http server on 127.0.0.1, the request log, latency
 * and fault injection. Each provider's wire format lives in its own file (openai.ts,
 * anthropic.ts); the rules answers follow are in deterministic-answers.ts. Test fixtures only.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REPLY } from './deterministic-answers.js';

/** A failure the emulator plays instead of its answer. Fields combine where that makes sense. */
export interface EmulatorFault {
  /** Answer with this HTTP status and the provider's own error body. */
  status?: number;
  /** The error body's message. @default a message naming the status */
  message?: string;
  /** Sent as `retry-after`: seconds (`'1'`) or an HTTP date. */
  retryAfter?: string;
  /** Sent as `retry-after-ms`. */
  retryAfterMs?: string | number;
  /** Never answer: the request hangs until the client gives up or the emulator closes. */
  timeout?: boolean;
  /** Answer 200 with a body cut off mid-JSON (a broken `data:` line when streaming). */
  malformed?: boolean;
  /** Answer with exactly this JSON text (status `status`, default 200), e.g. a mis-shaped body. */
  body?: string;
  /** Destroy the connection without answering. */
  dropConnection?: boolean;
  /** Streaming only: send this many text deltas, then destroy the connection. */
  cutStreamAfterDeltas?: number;
  /**
   * Streaming only: after `afterDeltas` text deltas (fewer than the reply has words), send the
   * provider's in-stream error for `status` (default 500; Anthropic's `event: error`, OpenAI's
   * `data: {error}` chunk) and end the stream.
   */
  streamError?: { afterDeltas: number; status?: number; message?: string };
}

export interface EmulatorOptions {
  /** What every chat answers. @default DEFAULT_REPLY */
  reply?: string;
  /** Waited before answering (or failing) each request. @default 0 */
  latencyMs?: number;
  /** Waited between streamed events. @default 0 */
  chunkDelayMs?: number;
  /** Reported instead of the computed usage (see `expectedChatUsage`). @default computed */
  usage?: { inputTokens?: number; outputTokens?: number };
  /** The provider's raw finish/stop reason to report, e.g. `'content_filter'`. @default computed */
  finishReason?: string;
  /** Embedding length when the request names none. @default 8 */
  embeddingDimensions?: number;
  /** `'reversed'` lists embeddings last input first (real APIs may order them freely). @default 'input' */
  embeddingOrder?: 'input' | 'reversed';
  /** When set, requests without this key are answered 401 as the provider would. @default unset */
  apiKey?: string;
  /** Played on every request while the `failNext` queue is empty. @default unset */
  faultEvery?: EmulatorFault;
}

export type EmulatorSettings = EmulatorOptions &
  Required<Pick<EmulatorOptions, 'reply' | 'latencyMs' | 'chunkDelayMs' | 'embeddingDimensions'>>;

/**
 * A request's JSON as the dialects read it: the fields OpenAI and Anthropic clients send, as they
 * should send them. The dialects still check each one, as the real APIs do, before trusting it.
 */
export interface ProviderRequestBody {
  model?: string;
  messages?: Array<{ role?: string; content?: unknown }>;
  system?: unknown;
  input?: string | string[];
  max_tokens?: number;
  max_completion_tokens?: number;
  dimensions?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased, as node:http gives them (`authorization`, `x-api-key` included). */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: ProviderRequestBody | undefined;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** The client's port: equal across requests means one reused connection. */
  remotePort: number;
  /** The fault played on this request, if any. */
  fault: EmulatorFault | undefined;
  /** `Date.now()` when the exchange ended (answered, or the client went away); unset while open. */
  closedAt?: number;
}

export interface ProviderEmulator {
  /** What to give an adapter as its `baseUrl`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Changes settings from the next request on. */
  configure(changes: EmulatorOptions): void;
  /** Queues faults for the next requests, one each, before `faultEvery` applies again. */
  failNext(...faults: EmulatorFault[]): void;
  /** Back to the options it started with: empties the log and the fault queue. */
  reset(): void;
  /** Stops the server, hanging (`timeout`) and kept-alive connections included. */
  close(): Promise<void>;
}

/** One request as a provider dialect handles it. */
export interface Exchange {
  /** Empty when the request had no JSON body. */
  body: ProviderRequestBody;
  headers: IncomingHttpHeaders;
  settings: EmulatorSettings;
  fault: EmulatorFault | undefined;
  /** Counts requests, for ids. */
  sequence: number;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** The provider's error body for `status`. */
  errorBody(status: number, message: string): unknown;
  /** Answers with the provider's error body. */
  error(status: number, message: string, headers?: Record<string, string>): void;
  /** Starts a 200 event stream. `send` resolves false once the client has gone. */
  eventStream(): {
    send(data: unknown, event?: string): Promise<boolean>;
    /** Destroys the connection mid-response, once what was sent has had time to arrive. */
    cut(): Promise<void>;
    end(): void;
  };
}

export interface Dialect {
  /** Appended to the origin to make `baseUrl`, e.g. `/v1`. */
  basePath: string;
  /** `METHOD /path` → handler. */
  routes: Record<string, (exchange: Exchange) => void | Promise<void>>;
  /** Whether the request carries `apiKey`, and the 401 message if not. */
  checkKey(headers: IncomingHttpHeaders, apiKey: string): string | undefined;
  /** The provider's error body. */
  errorBody(status: number, message: string): unknown;
  /** A cut-off `data:` line (with its `event:`, if the provider names events) for `malformed`. */
  brokenEvent: string;
}

const CUT_AFTER_MS = 50;

export async function startEmulator(
  dialect: Dialect,
  options: EmulatorOptions = {},
): Promise<ProviderEmulator> {
  const initial = (): EmulatorSettings => ({
    reply: DEFAULT_REPLY,
    latencyMs: 0,
    chunkDelayMs: 0,
    embeddingDimensions: 8,
    ...options,
  });
  let settings = initial();
  let faults: EmulatorFault[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Map<NodeJS.Timeout, () => void>();
  let sequence = 0;
  let closing = false;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: ProviderRequestBody | undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const fault = faults.shift() ?? settings.faultEvery;
    const path = req.url ?? '/';
    const { headers, method = '' } = req;
    const remotePort = req.socket.remotePort ?? 0;
    const record: RecordedRequest = {
      method,
      path,
      headers,
      body,
      receivedAt: Date.now(),
      remotePort,
      fault,
    };
    requests.push(record);
    res.on('close', () => (record.closedAt = Date.now()));
    const current = settings;
    const gone = () => closing || res.destroyed;
    // A route runs only once the body parsed (see below); errors before that do not read it.
    const facts = { body: body ?? {}, headers, settings: current, fault, sequence: ++sequence };
    const exchange = createExchange(res, dialect, facts, delay, gone);

    await delay(current.latencyMs);
    if (gone() || fault?.timeout) return;
    if (fault?.dropConnection) return void req.socket.destroy();
    const faultHeaders: Record<string, string> = {};
    if (fault?.retryAfter !== undefined) faultHeaders['retry-after'] = fault.retryAfter;
    if (fault?.retryAfterMs !== undefined) {
      faultHeaders['retry-after-ms'] = String(fault.retryAfterMs);
    }
    if (fault?.body !== undefined) {
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', ...faultHeaders });
      return void res.end(fault.body);
    }
    if (fault?.status) {
      const message = fault.message ?? `Emulated HTTP ${fault.status}`;
      return exchange.error(fault.status, message, faultHeaders);
    }
    if (fault?.malformed) {
      const stream = body?.stream === true;
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      return void res.end(
        stream ? dialect.brokenEvent : '{"id": "broken", "content": [{"text": "Hel',
      );
    }
    const route = dialect.routes[`${req.method} ${path.split('?')[0]}`];
    if (!route) return exchange.error(404, `No route for ${req.method} ${path}`);
    if (current.apiKey !== undefined) {
      const problem = dialect.checkKey(req.headers, current.apiKey);
      if (problem) return exchange.error(401, problem);
    }
    if (body === undefined) return exchange.error(400, 'The request body is not valid JSON.');
    await route(exchange);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) dialectError(res, dialect, 500, String(error), {});
      else res.destroy();
    });
  });
  // Like the real APIs behind their load balancers: idle connections stay open a while.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: origin + dialect.basePath,
    origin,
    requests,
    configure(changes) {
      settings = { ...settings, ...changes };
    },
    failNext(...next) {
      faults.push(...next);
    },
    reset() {
      settings = initial();
      faults = [];
      requests.length = 0;
    },
    async close() {
      closing = true;
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function dialectError(
  res: ServerResponse,
  dialect: Dialect,
  status: number,
  message: string,
  headers: Record<string, string>,
) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(dialect.errorBody(status, message)));
}

function createExchange(
  res: ServerResponse,
  dialect: Dialect,
  facts: Pick<Exchange, 'body' | 'headers' | 'settings' | 'fault' | 'sequence'>,
  delay: (ms: number) => Promise<void>,
  gone: () => boolean,
): Exchange {
  return {
    ...facts,
    json(status, body, headers = {}) {
      if (gone()) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    },
    errorBody: (status, message) => dialect.errorBody(status, message),
    error: (status, message, headers = {}) => dialectError(res, dialect, status, message, headers),
    eventStream() {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      return {
        async send(data, event) {
          if (gone()) return false;
          const text = typeof data === 'string' ? data : JSON.stringify(data);
          res.write(`${event ? `event: ${event}\n` : ''}data: ${text}\n\n`);
          await delay(facts.settings.chunkDelayMs);
          return !gone();
        },
        // Lets what was sent reach the client first, as it would have before a real cut.
        async cut() {
          await new Promise<void>((resolve) => res.write('', () => resolve()));
          await delay(CUT_AFTER_MS);
          res.socket?.destroy();
        },
        end: () => void (gone() || res.end()),
      };
    },
  };
}
