import type { EmbeddingsResolvers } from '../generated/resolvers-types.js';
import { usageOf } from './usage.js';

export const Embeddings: EmbeddingsResolvers = {
  model: (e) => ({ id: e.modelId }),
  usage: (e) => usageOf(e.usage),
  cost: (e) => BigInt(e.cost),
  dimensions: (e) => e.vectors[0]?.length ?? 0,
};
