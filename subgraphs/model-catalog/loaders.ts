import DataLoader from 'dataloader';
import { notFound } from '../../lib/errors.js';
import { withEffectiveUntil } from './service/pricing.js';
import type { ModelRow, PriceRow, ProviderRow } from './store/model-rows.js';
import type { ModelStore } from './store/model-store.js';
import type { ProviderStore } from './store/provider-store.js';

/** Keys per batch: one `= ANY($1)` query each, well within Postgres limits. */
const MAX_BATCH = 1000;

function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string, what: string) {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? notFound(what, key));
}

/** DataLoaders for one request: every model, price and provider read of an operation is batched. */
export function createCatalogLoaders(stores: { models: ModelStore; providers: ProviderStore }) {
  return {
    model: new DataLoader<string, ModelRow>(
      async (ids) => byKey(ids, await stores.models.byIds(ids), (m) => m.id, 'Model'),
      { maxBatchSize: MAX_BATCH },
    ),
    /** Every price version of a model, oldest first, with `effectiveUntil` filled in. */
    prices: new DataLoader<string, PriceRow[]>(
      async (ids) => {
        const grouped = new Map<string, PriceRow[]>(ids.map((id) => [id, []]));
        for (const price of await stores.models.prices(ids))
          grouped.get(price.modelId)?.push(price);
        return ids.map((id) => withEffectiveUntil(grouped.get(id) ?? []));
      },
      { maxBatchSize: MAX_BATCH },
    ),
    provider: new DataLoader<string, ProviderRow>(
      async (ids) => byKey(ids, await stores.providers.byIds(ids), (p) => p.id, 'Provider'),
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
