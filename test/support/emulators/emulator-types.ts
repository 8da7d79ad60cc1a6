/** The provider emulators' options, request log and the interface a provider dialect implements. */
import type { IncomingHttpHeaders } from 'node:http';

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
  /**
   * Answer 200 with the headers and the first bytes of the body (half a JSON object, or a stream's
   * first event), then send nothing more until the client gives up or the emulator closes.
   */
  stallAfterHeaders?: boolean;
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
  messages?: Array<{
    role?: string;
    content?: unknown;
    tool_calls?: unknown;
    tool_call_id?: unknown;
  }>;
  /** OpenAI: `{type: 'function', function: {name, parameters}}`; Anthropic: `{name, input_schema}`. */
  tools?: unknown;
  tool_choice?: unknown;
  /** OpenAI only: `{type: 'json_object'}` or `{type: 'json_schema', json_schema: {name, schema}}`. */
  response_format?: { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } };
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
  /**
   * Whether the whole answer was written before the exchange ended: false when the client went
   * away first (a stream it stopped). Unset while open.
   */
  answered?: boolean;
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
