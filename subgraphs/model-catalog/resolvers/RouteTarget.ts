import type { RouteTargetResolvers } from '../generated/resolvers-types.js';

export const RouteTarget: RouteTargetResolvers = {
  model: (target, _args, ctx) => ctx.loaders.model.load(target.modelId),
};
