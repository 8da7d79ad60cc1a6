import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { CatalogContext } from '../context.js';
import type { ModelFilter } from '../generated/resolvers-types.js';
import type { ModelRow } from '../store/model-rows.js';

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
  const rows = await ctx.service.listModels(filter, afterId, size + 1);
  for (const row of rows) ctx.loaders.model.prime(row.id, row);
  return toConnection<ModelRow>(
    toPage(rows, size, after),
    (model) => encodeCursor(CURSOR_KIND, [model.id]),
    () => ctx.service.countModels(filter),
  );
}
