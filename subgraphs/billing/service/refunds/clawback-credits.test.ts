import type { PurchaseRow } from '../../store/purchase-rows.js';
import { clawbackCredits } from './clawback-credits.js';

const purchase = (paid: number, granted: bigint) =>
  ({ paidAmountMinor: paid, grantedCredits: granted }) as PurchaseRow;

describe('clawbackCredits', () => {
  it('takes the whole grant for a whole refund', () => {
    const taken = { purchase: purchase(1000, 10_000_000n), refundedMinor: 0, takenCredits: 0n };
    expect(clawbackCredits(taken, 1000)).toBe(10_000_000n);
  });

  it('is proportional and rounded down for a part', () => {
    const taken = { purchase: purchase(3, 1_000_000n), refundedMinor: 0, takenCredits: 0n };
    expect(clawbackCredits(taken, 1)).toBe(333_333n);
  });

  it('gives the last part the remainder, so the parts add up to the grant', () => {
    const p = purchase(3, 1_000_000n);
    let takenCredits = 0n;
    let refundedMinor = 0;
    const parts = [1, 1, 1].map((minor) => {
      const credits = clawbackCredits({ purchase: p, refundedMinor, takenCredits }, minor);
      takenCredits += credits;
      refundedMinor += minor;
      return credits;
    });
    expect(parts).toEqual([333_333n, 333_333n, 333_334n]);
    expect(takenCredits).toBe(1_000_000n);
  });

  it('never takes more than the grant has left', () => {
    const taken = { purchase: purchase(100, 1000n), refundedMinor: 10, takenCredits: 995n };
    expect(clawbackCredits(taken, 50)).toBe(5n);
  });
});
