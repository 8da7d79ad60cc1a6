import type { ModelSpec } from '../../../lib/catalog/resolved-route.js';
import type {
  ChatMessage,
  ResponseFormat,
  TokenUsage,
  ToolDefinition,
} from '../providers/types.js';

const MILLION = 1_000_000n;

/** A price as the catalog gives it: µcr per million tokens, in force at a version. */
export type Price = NonNullable<ModelSpec['price']>;

/**
 * What a call costs in µcr, as the catalog's Pricing documents it: ceil(tokens × price / 10^6)
 * for input and for output separately, summed. Integers only, so nothing is lost to floats.
 */
export function costOf(usage: TokenUsage, price: Price): bigint {
  const part = (tokens: number, perMillion: string) =>
    (BigInt(tokens) * BigInt(perMillion) + MILLION - 1n) / MILLION;
  return (
    part(usage.inputTokens, price.inputPerMillion) +
    part(usage.outputTokens, price.outputPerMillion)
  );
}

/*
 * Holds must cover what any provider may bill, and providers count tokens with their own
 * tokenizers: text-embedding-3 and GPT-4 use cl100k_base, GPT-4o o200k_base, Claude and Llama
 * their own. Hindi text measured 601 o200k tokens and 2,521 cl100k tokens, so our own count times
 * a margin is no bound. Every tokenizer providers use (byte-level BPE, or SentencePiece with byte
 * fallback) makes each token of at least one UTF-8 byte of the text, so a text never has more
 * tokens than bytes; on top come the tokens a provider adds around each message or input (role
 * markers, separators, a start token) and around the request.
 */

/** Tokens a provider may add around one chat message (OpenAI's format adds 4). */
export const MESSAGE_FRAMING_TOKENS = 8;
/** Tokens a provider may add around a whole chat (OpenAI's reply priming is 3). */
export const CHAT_FRAMING_TOKENS = 32;
/** Tokens a provider may add around one embedding input (a start and an end token). */
export const INPUT_FRAMING_TOKENS = 2;

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

/*
 * Tools and answer schemas are prompt too, and providers bill them as input. They do not send our
 * JSON as it is: OpenAI renders tools as TypeScript-like declarations, Anthropic puts them in a
 * system prompt of its own, and both may indent and add words. So a schema's JSON counts twice
 * its bytes (room for any re-rendering that indents or repeats keys), and a call with tools pays
 * for the hidden system prompt that comes with them (Anthropic documents 264 to 530 tokens by
 * model and tool_choice).
 */

/** Tokens a provider may add to a call that has tools: its tool-use system prompt. */
export const TOOL_USE_FRAMING_TOKENS = 1024;
/** Tokens a provider may add around one tool, one tool call or one tool result. */
export const TOOL_FRAMING_TOKENS = 32;
/** Tokens a provider may add to ask for a JSON answer (a format instruction). */
export const RESPONSE_FORMAT_FRAMING_TOKENS = 256;

/** What a chat sends as prompt: the messages, the tools and the answer's schema. */
export interface ChatPrompt {
  messages: readonly ChatMessage[];
  tools?: readonly ToolDefinition[];
  responseFormat?: ResponseFormat;
}

const schemaBytes = (value: unknown) => 2 * bytesOf(JSON.stringify(value));

/** The most prompt tokens any provider can bill for this chat. */
export function chatPromptBound(prompt: ChatPrompt): number {
  let bound = CHAT_FRAMING_TOKENS;
  for (const message of prompt.messages) {
    bound += bytesOf(message.content) + MESSAGE_FRAMING_TOKENS;
    if (message.toolCallId) bound += bytesOf(message.toolCallId) + TOOL_FRAMING_TOKENS;
    for (const call of message.toolCalls ?? []) {
      // Arguments are JSON the provider may re-render like a schema.
      bound += bytesOf(call.id) + bytesOf(call.name) + schemaBytes(call.arguments);
      bound += TOOL_FRAMING_TOKENS;
    }
  }
  if (prompt.tools && prompt.tools.length > 0) {
    bound += TOOL_USE_FRAMING_TOKENS;
    for (const tool of prompt.tools) bound += schemaBytes(tool) + TOOL_FRAMING_TOKENS;
  }
  const format = prompt.responseFormat;
  if (format && format.type !== 'TEXT') {
    bound +=
      RESPONSE_FORMAT_FRAMING_TOKENS + (format.type === 'JSON_SCHEMA' ? schemaBytes(format) : 0);
  }
  return bound;
}

/** The most input tokens any provider can bill for these embedding inputs. */
export function embeddingInputBound(texts: readonly string[]): number {
  let bound = 0;
  for (const text of texts) bound += bytesOf(text) + INPUT_FRAMING_TOKENS;
  return bound;
}

/**
 * The tokens a chat's prompt is expected to take, for rate limits (not holds): our o200k_base
 * count plus a quarter and a little framing. Settlement corrects it to what the provider reported.
 */
export function expectedPromptTokens(counted: number): number {
  return counted + Math.ceil(counted / 4) + 16;
}

/** The most a call could cost: its input bound and every token it may generate. */
export function worstCaseCost(inputBound: number, maxTokens: number, price: Price) {
  return costOf({ inputTokens: inputBound, outputTokens: maxTokens }, price);
}
