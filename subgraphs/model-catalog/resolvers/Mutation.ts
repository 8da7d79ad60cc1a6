import type { MutationResolvers } from '../generated/resolvers-types.js';

export const Mutation: MutationResolvers = {
  registerModel: async (_parent, { input }, ctx) =>
    ctx.loaders.model.load(await ctx.service.registerModel(input)),
  updateModel: async (_parent, { id, input }, ctx) => {
    await ctx.service.updateModel(id, input);
    ctx.loaders.prices.clear(id);
    return ctx.loaders.model.clear(id).load(id);
  },
  deprecateModel: async (_parent, { id, sunsetAt, replacementId }, ctx) =>
    ctx.loaders.model
      .clear(id)
      .load(await ctx.service.deprecateModel(id, sunsetAt ?? null, replacementId ?? null)),
  registerProvider: (_parent, { input }, ctx) => ctx.service.registerProvider(input),
  setModelRoute: (_parent, { input }, ctx) => ctx.service.setModelRoute(input),
};
