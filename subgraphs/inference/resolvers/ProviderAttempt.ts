import type { ProviderAttemptResolvers } from '../generated/resolvers-types.js';

export const ProviderAttempt: ProviderAttemptResolvers = {
  model: (a) => ({ id: a.modelId }),
  provider: (a) => a.providerId,
};
