import DataLoader from 'dataloader';
import { isUuid } from '../../lib/ids.js';
import type { PurchaseRow } from './store/purchase-rows.js';
import type { PurchaseStore } from './store/purchase-store.js';

const MAX_BATCH = 1000;

/** DataLoaders for one request. */
export function createBillingLoaders(stores: { purchases: PurchaseStore }) {
  return {
    /** A purchase by id, or null (unknown ids and ids that are not UUIDs alike). */
    purchase: new DataLoader<string, PurchaseRow | null>(
      async (ids) => {
        const valid = ids.filter(isUuid);
        const found = new Map(
          (valid.length ? await stores.purchases.byIds(valid) : []).map((p) => [p.id, p]),
        );
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type BillingLoaders = ReturnType<typeof createBillingLoaders>;
