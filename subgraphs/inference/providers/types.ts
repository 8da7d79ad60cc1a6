/**
 * One interface over every model provider. The saga (routing, retries, fallback, payment) sees
 * only this; each adapter turns it into its provider's wire format and back.
 */

export type ProviderKind = 'LOCAL' | 'OPENAI_COMPATIBLE' | 'ANTHROPIC';

/** A provider as the catalog describes it (the catalog owns these facts). */
export interface ProviderSpec {
  id: string;
  kind: ProviderKind;
  /** HTTP providers: where the API lives, e.g. `https://api.openai.com/v1`. */
  baseUrl: string | null;
  /** HTTP providers: the environment variable that holds the API key (never the key itself). */
  apiKeyEnv: string | null;
}

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A call of one of the caller's tools, as the model asked for it. */
export interface ToolCall {
  /** The provider's id for the call; a `tool` message answers it by this id. */
  id: string;
  /** The tool (function) name. */
  name: string;
  /** The arguments as JSON text, exactly as the model wrote them (it may not parse). */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  /** The text; empty for an assistant turn that only called tools. */
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCall[];
  /** A `tool` message: the id of the call it answers. */
  toolCallId?: string;
}

/** A tool (function) the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** The arguments' JSON Schema. */
  parameters?: unknown;
  /** Ask the provider to keep the arguments to `parameters` exactly (OpenAI structured outputs). */
  strict?: boolean;
}

/** Whether and which tool the model must call. */
export type ToolChoice =
  { mode: 'AUTO' } | { mode: 'NONE' } | { mode: 'REQUIRED' } | { mode: 'FUNCTION'; name: string };

/** The shape the answer must take. */
export type ResponseFormat =
  | { type: 'TEXT' }
  /** Any JSON object (the catalog's JSON_MODE capability). */
  | { type: 'JSON_OBJECT' }
  /** JSON matching `schema` (the STRUCTURED_OUTPUT capability). */
  | { type: 'JSON_SCHEMA'; name: string; schema: unknown; strict?: boolean; description?: string };

export interface ChatRequest {
  /** The provider's own name for the model (the catalog's `providerModel`). */
  model: string;
  messages: ChatMessage[];
  /** The most tokens to generate. */
  maxTokens: number;
  /** Sampling temperature; undefined leaves the provider's default. */
  temperature?: number;
  /** Tools the model may call (needs the TOOLS capability). */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Why generation stopped, in our words (each adapter maps its provider's). CANCELLED (the caller
 * left mid-stream) and INTERRUPTED (the provider broke off mid-stream) are the saga's, never an
 * adapter's.
 */
export type FinishReason =
  'STOP' | 'LENGTH' | 'TOOL_CALLS' | 'CONTENT_FILTER' | 'CANCELLED' | 'INTERRUPTED' | 'OTHER';

export interface ChatResult {
  text: string;
  /** The tools the model called, in order; empty when it called none. */
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  /** The model that answered, as the provider names it (its deployment's version), when it says. */
  model?: string;
  /** As the provider reported it: this is what the call is charged for. */
  usage: TokenUsage;
}

/**
 * A piece of one tool call, streamed: `index` names the call; `id` and `name` come with its first
 * piece, `arguments` is the next piece of its JSON text (concatenate the pieces of one index).
 */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  arguments: string;
}

/** One piece of a streamed answer: text and tool-call deltas, then a last chunk with the usage. */
export type ChatStreamChunk =
  | { type: 'delta'; text: string }
  | { type: 'toolCall'; delta: ToolCallDelta }
  | { type: 'done'; finishReason: FinishReason; usage: TokenUsage };

export interface EmbedRequest {
  /** The provider's own name for the model. */
  model: string;
  /** The texts, in order; the adapter sends them in one provider request. */
  inputs: string[];
}

export interface EmbedResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: { inputTokens: number };
}

export interface CallOptions {
  /** Aborts the call: the attempt's timeout and the request's overall deadline, combined. */
  signal: AbortSignal;
}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  chat(request: ChatRequest, options: CallOptions): Promise<ChatResult>;
  chatStream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatStreamChunk>;
  embed(request: EmbedRequest, options: CallOptions): Promise<EmbedResult>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/**
 * How a call failed, in terms routing acts on:
 * - RATE_LIMITED (429): retry after `retryAfterMs` (from Retry-After) or back off;
 * - SERVER_ERROR (5xx, overloaded), TIMEOUT, NETWORK, BAD_RESPONSE (unparseable body): retryable,
 *   try again or fall back;
 * - BAD_REQUEST (4xx other than 401/403/429): our request is wrong, other deployments may differ;
 * - AUTH (401/403, or a missing API key variable): this deployment is misconfigured.
 */
export type ProviderErrorKind =
  'RATE_LIMITED' | 'SERVER_ERROR' | 'TIMEOUT' | 'NETWORK' | 'BAD_RESPONSE' | 'BAD_REQUEST' | 'AUTH';

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  /** The HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** From Retry-After (seconds or an HTTP date) or retry-after-ms, when the provider sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'ProviderError';
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Whether trying the same deployment again may succeed. */
  get retryable(): boolean {
    return (
      this.kind === 'RATE_LIMITED' ||
      this.kind === 'SERVER_ERROR' ||
      this.kind === 'TIMEOUT' ||
      this.kind === 'NETWORK' ||
      this.kind === 'BAD_RESPONSE'
    );
  }
}
