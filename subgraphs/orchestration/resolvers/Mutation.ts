import type { MutationResolvers } from '../generated/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createPrompt: (_parent, { input }, ctx) => ctx.prompts.createPrompt(ctx, input),
  createPromptVersion: (_parent, { input }, ctx) => ctx.prompts.createVersion(ctx, input),
  setPromptLabel: (_parent, { input }, ctx) => ctx.prompts.setLabel(ctx, input),
  createFlow: (_parent, { input }, ctx) => ctx.flows.createFlow(ctx, input),
  createFlowVersion: (_parent, { input }, ctx) => ctx.flows.createVersion(ctx, input),
  setFlowLabel: (_parent, { input }, ctx) => ctx.flows.setLabel(ctx, input),
  runFlow: (_parent, { input }, ctx) => ctx.flows.runFlow(ctx, input),
  cancelFlowRun: (_parent, { id }, ctx) => ctx.flows.cancelRun(ctx, id),
};
