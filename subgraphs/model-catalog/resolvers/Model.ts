import { hasScope } from '../../../lib/auth/principal.js';
import { badUserInput, forbidden } from '../../../lib/errors.js';
import type { ModelResolvers } from '../generated/resolvers-types.js';
import { priceAt } from '../service/pricing.js';

export const Model: ModelResolvers = {
  // Entity fetches from other subgraphs arrive as many references at once: one batched query.
  // Shield does not guard reference resolution, so check before the store is asked: otherwise
  // NOT_FOUND versus FORBIDDEN would tell an outsider which model ids exist.
  // Async, so a refusal fails that one entity rather than the whole `_entities` list.
  __resolveReference: async (reference, ctx) => {
    if (!hasScope(ctx.principal, 'models:read'))
      throw forbidden('This needs the models:read scope.');
    return ctx.loaders.model.load(reference.id);
  },
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
