import type { PromptVersionResolvers } from '../generated/resolvers-types.js';

export const PromptVersion: PromptVersionResolvers = {
  number: (version) => version.version,
};
