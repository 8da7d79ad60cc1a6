import type { QueryResolvers } from '../generated/resolvers-types.js';
import { modelConnection } from './model-connection.js';

const isNotFound = (error: unknown) =>
  (error as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND';

export const Query: QueryResolvers = {
  models: (_parent, { filter, first, after }, ctx) => modelConnection(ctx, filter, first, after),
  model: async (_parent, { id }, ctx) => {
    await ctx.service.checkModelId(id);
    try {
      return await ctx.loaders.model.load(id);
    } catch (error) {
      // The loader's NOT_FOUND knows nothing of other ids: answer with the ones meant, if any.
      throw isNotFound(error) ? await ctx.service.modelNotFound(id) : error;
    }
  },
  providers: (_parent, _args, ctx) => ctx.service.listProviders(),
  provider: (_parent, { id }, ctx) => ctx.loaders.provider.load(id),
  routes: (_parent, _args, ctx) => ctx.service.listRoutes(),
  route: (_parent, { alias }, ctx) => ctx.service.route(alias),
};
