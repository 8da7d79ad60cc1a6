import type { ModelResolvers } from '../generated/resolvers-types.js';

/** The catalog's Model, extended with its live health (figures from the shared store). */
export const Model: ModelResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  health: (model, _args, ctx) => ctx.health.snapshot(model.id),
};
