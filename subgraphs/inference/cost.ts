import type { ModelSpec } from '../../lib/catalog/resolved-route.js';
import type { TokenUsage } from './providers/types.js';

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

/**
 * The prompt tokens a provider may bill for a prompt we counted at `counted`: our tokenizer is not
 * every provider's, so the hold allows a quarter more plus a little per-request framing.
 */
export function promptTokenBound(counted: number): number {
  return counted + Math.ceil(counted / 4) + 16;
}

/** The most a call could cost: the prompt's bound and every token it may generate. */
export function worstCaseCost(countedPromptTokens: number, maxTokens: number, price: Price) {
  return costOf(
    { inputTokens: promptTokenBound(countedPromptTokens), outputTokens: maxTokens },
    price,
  );
}
