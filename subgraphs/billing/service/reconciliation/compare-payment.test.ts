import type { LedgerGrant } from '../../clients/wallet-reads.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import { comparePayment, type ProviderPayment } from './compare-payment.js';

const creditsFor = (minor: number) => BigInt(minor) * 10_000n;
const payment = (changes: Partial<ProviderPayment> = {}): ProviderPayment => ({
  id: 'pi_1',
  amountMinor: 1000,
  currency: 'usd',
  refundedMinor: 0,
  customerId: null,
  metadata: {},
  ...changes,
});
const grant = (id: string, amount: bigint): LedgerGrant => ({
  id,
  walletId: 'w',
  amount,
  paymentId: 'pi_1',
  purchaseId: null,
  createdAt: '2026-01-01T00:00:00Z',
});
const purchase = (refundedAmountMinor: number) => ({ refundedAmountMinor }) as PurchaseRow;

describe('comparePayment', () => {
  it('finds nothing when one grant matches the paid amount and refunds are recorded', () => {
    expect(
      comparePayment(
        payment({ refundedMinor: 300 }),
        [grant('g1', 10_000_000n)],
        purchase(300),
        creditsFor,
      ),
    ).toEqual([]);
  });

  it('names each kind with the credits expected and shown', () => {
    const kinds = (grants: LedgerGrant[], p = payment(), row: PurchaseRow | null = null) =>
      comparePayment(p, grants, row, creditsFor).map((m) => [
        m.kind,
        m.expectedCredits,
        m.actualCredits,
      ]);
    expect(kinds([])).toEqual([['PAID_NOT_GRANTED', 10_000_000n, 0n]]);
    expect(kinds([grant('a', 10_000_000n), grant('b', 10_000_000n)])).toEqual([
      ['GRANTED_TWICE', 10_000_000n, 20_000_000n],
    ]);
    expect(kinds([grant('a', 9_000_000n)])).toEqual([['AMOUNT_DIFFERS', 10_000_000n, 9_000_000n]]);
    expect(
      kinds([grant('a', 10_000_000n)], payment({ refundedMinor: 400 }), purchase(100)),
    ).toEqual([['REFUNDED_NOT_DEBITED', 4_000_000n, 1_000_000n]]);
  });
});
