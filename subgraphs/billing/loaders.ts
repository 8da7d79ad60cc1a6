import DataLoader from 'dataloader';
import { isUuid } from '../../lib/ids.js';
import type { DisputeRow, DisputeStore } from './store/dispute-store.js';
import type { AutoRecharge, AutoRechargeView } from './service/auto-recharge/auto-recharge.js';
import type { PurchaseRow } from './store/purchase-rows.js';
import type { PurchaseStore } from './store/purchase-store.js';
import type { RefundRow, RefundStore } from './store/refund-store.js';

const MAX_BATCH = 1000;

/** DataLoaders for one request. */
export function createBillingLoaders(stores: {
  purchases: PurchaseStore;
  refunds: RefundStore;
  disputes: DisputeStore;
  autoRecharge: Pick<AutoRecharge, 'views'>;
}) {
  /** Rows of many purchases in one read, grouped back per purchase (oldest first). */
  const perPurchase = <T extends { purchaseId: string }>(
    read: (ids: readonly string[]) => Promise<T[]>,
  ) =>
    new DataLoader<string, T[]>(
      async (ids) => {
        const rows = await read(ids.filter(isUuid));
        return ids.map((id) => rows.filter((row) => row.purchaseId === id));
      },
      { maxBatchSize: MAX_BATCH },
    );
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
    /** A purchase's refunds, oldest first. */
    refundsOfPurchase: perPurchase<RefundRow>((ids) => stores.refunds.ofPurchases(ids)),
    /** A purchase's disputes, oldest first. */
    disputesOfPurchase: perPurchase<DisputeRow>((ids) => stores.disputes.ofPurchases(ids)),
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
