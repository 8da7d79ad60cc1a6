import DataLoader from 'dataloader';
import { isUuid } from '../../lib/ids.js';
import type { AutoRecharge, AutoRechargeView } from './service/auto-recharge/auto-recharge.js';
import type { PurchaseRow } from './store/purchase-rows.js';
import type { PurchaseStore } from './store/purchase-store.js';

const MAX_BATCH = 1000;

/** DataLoaders for one request. */
export function createBillingLoaders(stores: {
  purchases: PurchaseStore;
  autoRecharge: Pick<AutoRecharge, 'views'>;
}) {
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
    /** A team's auto-recharge, or null when it was never set (or the id is not a UUID). */
    autoRecharge: new DataLoader<string, AutoRechargeView | null>(
      async (teamIds) => {
        const valid = teamIds.filter(isUuid);
        const views = valid.length ? await stores.autoRecharge.views(valid) : new Map();
        return teamIds.map((id) => views.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type BillingLoaders = ReturnType<typeof createBillingLoaders>;
