import type { ModelSpec } from '../../../lib/catalog/resolved-route.js';
import type { TokenUsage } from '../providers/types.js';

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

/** The most prompt tokens any provider can bill for these chat messages. */
export function chatPromptBound(messages: readonly { content: string }[]): number {
  let bound = CHAT_FRAMING_TOKENS;
  for (const message of messages) bound += bytesOf(message.content) + MESSAGE_FRAMING_TOKENS;
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
