import { createBillingLoaders } from './loaders.js';
import type { AutoRecharge } from './service/auto-recharge/auto-recharge.js';
import type { DisputeStore } from './store/dispute-store.js';
import type { PurchaseStore } from './store/purchase-store.js';
import type { RefundRow, RefundStore } from './store/refund-store.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('billing loaders', () => {
  it("reads many purchases' refunds in one batch and answers each in key order", async () => {
    const calls: string[][] = [];
    const refunds = {
      ofPurchases: async (ids: readonly string[]) => {
        calls.push([...ids]);
        return [
          { id: 'r1', purchaseId: B },
          { id: 'r2', purchaseId: A },
          { id: 'r3', purchaseId: B },
        ] as RefundRow[];
      },
    } as unknown as RefundStore;
    const loaders = createBillingLoaders({
      purchases: {} as PurchaseStore,
      refunds,
      disputes: {} as DisputeStore,
      autoRecharge: {} as AutoRecharge,
    });
    const [a, b, bad] = await Promise.all([
      loaders.refundsOfPurchase.load(A),
      loaders.refundsOfPurchase.load(B),
      loaders.refundsOfPurchase.load('not-a-uuid'),
    ]);
    expect(calls).toEqual([[A, B]]);
    expect(a.map((r) => r.id)).toEqual(['r2']);
    expect(b.map((r) => r.id)).toEqual(['r1', 'r3']);
    expect(bad).toEqual([]);
  });
});
