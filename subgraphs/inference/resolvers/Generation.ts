import type { GenerationResolvers } from '../generated/resolvers-types.js';
import { usageOf } from './usage.js';

export const Generation: GenerationResolvers = {
  model: (g) => ({ id: g.modelId }),
  usage: (g) => usageOf(g.usage),
  cost: (g) => BigInt(g.cost),
  // An answer kept for idempotent retries before `shared` existed has none: it was not shared.
  shared: (g) => g.shared ?? false,
  // Answers kept before tools existed have no toolCalls: they called none.
  toolCalls: (g) => g.toolCalls ?? [],
  createdAt: (g) => new Date(g.createdAt),
};
