import type { MutationResolvers } from '../generated/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createPrompt: (_parent, { input }, ctx) => ctx.prompts.createPrompt(ctx, input),
  createPromptVersion: (_parent, { input }, ctx) => ctx.prompts.createVersion(ctx, input),
  setPromptLabel: (_parent, { input }, ctx) => ctx.prompts.setLabel(ctx, input),
  createCollection: (_parent, { input }, ctx) => ctx.collections.createCollection(ctx, input),
  ingestDocuments: async (_parent, { collectionId, documents }, ctx) =>
    ctx.collections.ingestDocuments(
      await ctx.collections.modelCallerFor(ctx, collectionId),
      collectionId,
      documents,
    ),
  deleteCollectionDocument: (_parent, { collectionId, documentId }, ctx) =>
    ctx.collections.deleteDocument(ctx, collectionId, documentId),
  deleteCollection: (_parent, { id }, ctx) => ctx.collections.deleteCollection(ctx, id),
  createFlow: (_parent, { input }, ctx) => ctx.flows.createFlow(ctx, input),
  createFlowVersion: (_parent, { input }, ctx) => ctx.flows.createVersion(ctx, input),
  setFlowLabel: (_parent, { input }, ctx) => ctx.flows.setLabel(ctx, input),
  runFlow: (_parent, { input }, ctx) => ctx.flows.runFlow(ctx, input),
  cancelFlowRun: (_parent, { id }, ctx) => ctx.flows.cancelRun(ctx, id),
};
