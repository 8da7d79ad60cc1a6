import { notFound } from '../../../lib/errors.js';
import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { CatalogContext } from '../context.js';
import type { ModelFilter, QueryResolvers } from '../generated/resolvers-types.js';
import type { ModelRow } from '../store/model-rows.js';
import { ROUTE_ALIAS, assertModelId } from '../validation.js';

const CURSOR_KIND = 'model';

/** A page of models in id order; shared by `Query.models` and `Provider.models`. */
export async function modelConnection(
  ctx: CatalogContext,
  filter: ModelFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
) {
  const size = pageSize(first);
  const afterId = decodeCursor(CURSOR_KIND, after)?.[0] ?? null;
  const rows = await ctx.stores.models.list(filter, afterId, size + 1);
  for (const row of rows) ctx.loaders.model.prime(row.id, row);
  return toConnection<ModelRow>(
    toPage(rows, size, after),
    (model) => encodeCursor(CURSOR_KIND, [model.id]),
    () => ctx.stores.models.count(filter),
  );
}

export const Query: QueryResolvers = {
  models: (_parent, { filter, first, after }, ctx) => modelConnection(ctx, filter, first, after),
  model: (_parent, { id }, ctx) => {
    assertModelId(id);
    return ctx.loaders.model.load(id);
  },
  providers: (_parent, _args, ctx) => ctx.stores.providers.list(),
  provider: (_parent, { id }, ctx) => ctx.loaders.provider.load(id),
  routes: (_parent, _args, ctx) => ctx.stores.routes.list(),
  route: async (_parent, { alias }, ctx) => {
    const route = ROUTE_ALIAS.test(alias) ? await ctx.stores.routes.byAlias(alias) : undefined;
    if (!route) throw notFound('Route', alias);
    return route;
  },
};
