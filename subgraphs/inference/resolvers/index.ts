import type { Resolvers } from '../generated/resolvers-types.js';

export const resolvers: Resolvers = {
  Model: {
    __resolveReference: (reference) => ({ id: reference.id }),
    health: (model, _args, ctx) => ctx.health.snapshot(model.id),
  },
};
