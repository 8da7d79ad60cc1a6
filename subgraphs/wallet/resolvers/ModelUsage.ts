import type { ModelUsageResolvers } from '../generated/resolvers-types.js';

export const ModelUsage: ModelUsageResolvers = {
  model: (usage) => ({ id: usage.modelId }),
};
