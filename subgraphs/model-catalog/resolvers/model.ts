import { badUserInput } from '../../../lib/errors.js';
import type {
  LifecycleResolvers,
  ModelResolvers,
  ProviderResolvers,
  RouteTargetResolvers,
} from '../generated/resolvers-types.js';
import { priceAt } from '../pricing.js';
import { modelConnection } from './query.js';

export const Model: ModelResolvers = {
  // Entity fetches from other subgraphs arrive as many references at once: one batched query.
  __resolveReference: (reference, ctx) => ctx.loaders.model.load(reference.id),
  provider: (model, _args, ctx) => ctx.loaders.provider.load(model.providerId),
  pricing: async (model, { at }, ctx) => {
    const when = at ?? ctx.now();
    const price = priceAt(await ctx.loaders.prices.load(model.id), when);
    if (!price) throw badUserInput(`Model "${model.id}" had no price at ${when.toISOString()}.`);
    return price;
  },
  priceHistory: (model, _args, ctx) => ctx.loaders.prices.load(model.id),
  lifecycle: (model) => model,
};

export const Lifecycle: LifecycleResolvers = {
  replacement: (model, _args, ctx) =>
    model.replacementId ? ctx.loaders.model.load(model.replacementId) : null,
};

export const Provider: ProviderResolvers = {
  models: (provider, { first, after }, ctx) =>
    modelConnection(ctx, { providers: [provider.id] }, first, after),
};

export const RouteTarget: RouteTargetResolvers = {
  model: (target, _args, ctx) => ctx.loaders.model.load(target.modelId),
};
