import type { MutationResolvers } from '../generated/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createPrompt: (_parent, { input }, ctx) => ctx.prompts.createPrompt(ctx, input),
  createPromptVersion: (_parent, { input }, ctx) => ctx.prompts.createVersion(ctx, input),
  setPromptLabel: (_parent, { input }, ctx) => ctx.prompts.setLabel(ctx, input),
};
