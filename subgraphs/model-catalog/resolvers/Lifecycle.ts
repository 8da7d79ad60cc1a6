import type { LifecycleResolvers } from '../generated/resolvers-types.js';

export const Lifecycle: LifecycleResolvers = {
  replacement: (model, _args, ctx) =>
    model.replacementId ? ctx.loaders.model.load(model.replacementId) : null,
};
