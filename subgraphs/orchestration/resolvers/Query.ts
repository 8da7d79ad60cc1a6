import type { QueryResolvers } from '../generated/resolvers-types.js';

export const Query: QueryResolvers = {
  orchestrationInfo: async (_parent, _args, ctx) => ({
    ...(await ctx.info.read()),
    callerId: ctx.principal.id,
  }),
};
