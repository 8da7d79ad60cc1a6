/** A ResolvedTarget for the routing tests: an ACTIVE LOCAL chat model with an 8k context window. */
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';

export interface TargetOptions {
  /** 1 unless given. */
  weight?: number;
  /** Input and output price per million tokens; ['1', '1'] unless given, null for unpriced. */
  price?: [input: string, output: string] | null;
  /** The model's id unless given. */
  providerModel?: string;
  /** 'local' unless given. */
  providerId?: string;
}

export function resolvedTarget(id: string, options: TargetOptions = {}): ResolvedTarget {
  const price = options.price === undefined ? ['1', '1'] : options.price;
  return {
    weight: options.weight ?? 1,
    model: {
      id,
      providerModel: options.providerModel ?? id,
      capabilities: ['CHAT'],
      tags: [],
      dataClassification: 'INTERNAL',
      status: 'ACTIVE',
      contextWindow: 8192,
      maxOutputTokens: null,
      embeddingDimensions: null,
      maxBatchSize: null,
      provider: {
        id: options.providerId ?? 'local',
        kind: 'LOCAL',
        baseUrl: null,
        apiKeyEnv: null,
      },
      price: price && { version: 1, inputPerMillion: price[0], outputPerMillion: price[1] },
    },
  };
}
