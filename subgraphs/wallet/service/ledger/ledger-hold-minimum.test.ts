import { randomUUID } from 'node:crypto';
import {
  actor,
  outcomeOf,
  tally,
  useLedgerHarness,
} from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';

/** authorizeHold with a minimum: the most up to the amount that there is room for. */
describe.each(STORE_MODES)('holds with a minimum (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  afterEach(async () => {
    await h.voidOpenHolds();
    await h.expectInvariants();
  });

  // Async, so that a refusal of the input (thrown at once) is a rejection like any other.
  const authorize = async (
    walletId: string,
    amount: bigint,
    minimumAmount: bigint | null,
    key: string = randomUUID(),
    i = 0,
  ) =>
    h.replica(i).authorizeHold({
      walletId,
      amount,
      minimumAmount,
      idempotencyKey: key,
      expiresInSeconds: 60,
      actor,
    });

  it('grants the whole amount when there is room for it', async () => {
    const walletId = await h.fundedWallet(1000n);
    expect(await authorize(walletId, 500n, 100n)).toMatchObject({ amount: 500n });
    expect(await h.balance(walletId)).toEqual({ posted: 1000n, held: 500n, available: 500n });
  });

  it('grants what the balance has when that is at least the minimum', async () => {
    const walletId = await h.fundedWallet(300n);
    const held = await authorize(walletId, 500n, 100n);
    expect(held).toMatchObject({ amount: 300n, status: 'PENDING' });
    expect((await h.ledger.reads.holdsByIds([held.id]))[0]).toMatchObject({ amount: 300n });
    expect(await h.balance(walletId)).toEqual({ posted: 300n, held: 300n, available: 0n });
  });

  it('refuses below the minimum, with the minimum as what was required', async () => {
    const walletId = await h.fundedWallet(50n);
    expect(await outcomeOf(authorize(walletId, 500n, 100n))).toEqual({
      code: 'INSUFFICIENT_FUNDS',
      extensions: { code: 'INSUFFICIENT_FUNDS', available: '50', required: '100' },
    });
    expect(await h.balance(walletId)).toEqual({ posted: 50n, held: 0n, available: 50n });
  });

  it('grants what the monthly budget leaves, and refuses below the minimum', async () => {
    const walletId = await h.fundedWallet(1000n);
    await h.ledger.setBudget({ walletId, monthlyLimit: 400n, alertThresholds: [] });
    const spent = await authorize(walletId, 100n, null);
    await h.ledger.captureHold({ holdId: spent.id, amount: 100n, idempotencyKey: 'c', actor });
    expect(await authorize(walletId, 500n, 100n)).toMatchObject({ amount: 300n });
    expect(await outcomeOf(authorize(walletId, 500n, 1n))).toEqual({
      code: 'BUDGET_EXCEEDED',
      extensions: {
        code: 'BUDGET_EXCEEDED',
        monthlyLimit: '400',
        monthToDateSpend: '100',
        held: '300',
        required: '1',
        available: '0',
      },
    });
  });

  it('refuses a minimum of nothing or above the amount', async () => {
    const walletId = await h.fundedWallet(100n);
    for (const minimum of [0n, 11n]) {
      expect(await outcomeOf(authorize(walletId, 10n, minimum))).toMatchObject({
        code: 'BAD_USER_INPUT',
        extensions: { field: 'minimumAmount' },
      });
    }
  });

  it('replays the hold it granted; another minimum under the key is a conflict', async () => {
    const walletId = await h.fundedWallet(300n);
    const first = await authorize(walletId, 500n, 100n, 'lease');
    await h.ledger.grant({ walletId, amount: 1000n, idempotencyKey: 'more', actor });
    expect(await authorize(walletId, 500n, 100n, 'lease')).toMatchObject({
      id: first.id,
      amount: 300n,
    });
    expect(await outcomeOf(authorize(walletId, 500n, 200n, 'lease'))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await outcomeOf(authorize(walletId, 500n, null, 'lease'))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
  });

  it('concurrent holds with a minimum share the balance out to the last credit', async () => {
    for (let run = 0; run < 3; run += 1) {
      const walletId = await h.fundedWallet(1000n);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          authorize(walletId, 300n, 50n, `lease-${i}`, i).then(
            (held) => ({ code: 'OK', extensions: {}, amount: held.amount }),
            (error: { extensions: Record<string, unknown> }) => ({
              code: String(error.extensions?.code ?? error),
              extensions: error.extensions,
              amount: 0n,
            }),
          ),
        ),
      );
      // Whatever the order, each takes min(300, what is left): 300, 300, 300, then 100.
      expect(tally(outcomes)).toEqual({ OK: 4, INSUFFICIENT_FUNDS: 6 });
      const granted = outcomes.filter((o) => o.code === 'OK').map((o) => o.amount);
      expect(granted.sort((a, b) => Number(a - b))).toEqual([100n, 300n, 300n, 300n]);
      for (const o of outcomes.filter((o) => o.code !== 'OK')) {
        expect(o.extensions).toEqual({
          code: 'INSUFFICIENT_FUNDS',
          available: '0',
          required: '50',
        });
      }
      expect(await h.balance(walletId)).toEqual({ posted: 1000n, held: 1000n, available: 0n });
    }
  });
});
