import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import type { Attempt } from '../routing/run-attempts.js';
import type { EmbedFieldRequest, EmbeddingsResult } from './embed.js';
import { amountOf, type Charge } from './payment.js';

/** The fields of one embedding saga, with the token count and vector of each distinct text. */
export interface EmbedTexts {
  fields: EmbedFieldRequest[];
  tokens: Map<string, number>;
  vectors: Map<string, number[]>;
}

/**
 * Each field's vectors, token count and share of the charge: split by the tokens of the field's
 * charged texts (the last field with any takes the rest, so shares add up exactly).
 */
export function shareOut(
  { fields, tokens, vectors }: EmbedTexts,
  target: ResolvedTarget,
  charge: Charge,
  texts: { cached: Set<string>; charged: Set<string> },
  attempts: Attempt[],
): EmbeddingsResult[] {
  const cost = amountOf(charge);
  const weights = fields.map((f) =>
    sum(f.texts.filter((text) => texts.charged.has(text)).map((text) => tokens.get(text)!)),
  );
  const total = sum(weights);
  const last = total === 0 ? fields.length - 1 : weights.findLastIndex((w) => w > 0);
  let given = 0n;
  return fields.map((field, i) => {
    const share =
      i === last ? cost - given : total === 0 ? 0n : (cost * BigInt(weights[i]!)) / BigInt(total);
    given += share;
    const cachedCount = field.texts.filter((text) => texts.cached.has(text)).length;
    return {
      modelId: target.model.id,
      priceVersion: target.model.price!.version,
      vectors: field.texts.map((text) => vectors.get(text)!),
      usage: { inputTokens: sum(field.texts.map((text) => tokens.get(text)!)), outputTokens: 0 },
      cost: share.toString(),
      chargeStatus: charge.status,
      cached: cachedCount === field.texts.length,
      cachedCount,
      attempts,
    };
  });
}

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
