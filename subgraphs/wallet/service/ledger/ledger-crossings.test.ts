import { randomUUID } from 'node:crypto';
import { eventually } from '../../../../test/support/eventually.js';
import { actor, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { CrossingRow } from '../../store/funding-reads.js';
import type { Ledger } from './ledger.js';

/** Low-balance crossings: recorded by the database, once per fall below the threshold. */
describe.each(STORE_MODES)('low-balance crossings (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  let ledger: Ledger;
  beforeAll(() => {
    ledger = h.ledger;
  });
  afterEach(async () => {
    await h.resetClock();
    await h.voidOpenHolds();
    await h.expectInvariants();
  });

  const usage = { inputTokens: 1, outputTokens: 1, modelId: 'acme/model', priceVersion: 1 };
  const hold = (walletId: string, amount: bigint, via: Ledger = ledger) =>
    via.authorizeHold({
      walletId,
      amount,
      idempotencyKey: randomUUID(),
      expiresInSeconds: 600,
      metadata: { modelId: 'acme/model', priceVersion: 1 },
      actor,
    });
  /** Every crossing readable now, in the order pages give them (all pages). */
  const allCrossings = async (via: Ledger = ledger) => {
    const rows: CrossingRow[] = [];
    for (let after = null as CrossingRow | null; ;) {
      const page = await via.fundingReads.balanceCrossings(after, 3);
      rows.push(...page);
      if (page.length < 3) return rows;
      after = page.at(-1)!;
    }
  };
  const crossingsOf = async (walletId: string, via?: Ledger) =>
    (await allCrossings(via)).filter((c) => c.walletId === walletId);
  /** Waits until `count` crossings of the wallet are readable (a running transaction delays them). */
  const expectCrossings = (walletId: string, count: number) =>
    eventually(
      `${count} crossings of ${walletId}`,
      async () => {
        const found = await crossingsOf(walletId);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs: 10_000 },
    ).then((found) => {
      expect(found).toHaveLength(count);
      return found;
    });
  const thresholdWallet = async (funded: bigint, threshold: bigint) => {
    const walletId = await h.fundedWallet(funded);
    await ledger.setLowBalanceThreshold({ walletId, threshold });
    return walletId;
  };
  /**
   * Waits until every crossing written so far is readable: a sentinel wallet crosses, and once its
   * crossing (recorded after all of them) can be read, so can theirs. Checks that find no
   * crossing run after it.
   */
  const settled = async () => {
    const sentinel = await thresholdWallet(10n, 5n);
    await ledger.debit({ walletId: sentinel, amount: 10n, idempotencyKey: 'sentinel', actor });
    await expectCrossings(sentinel, 1);
  };

  it('50 concurrent charges across the threshold record exactly one crossing', async () => {
    const walletId = await thresholdWallet(20_000n, 10_000n);
    const calls = await Promise.all(Array.from({ length: 25 }, () => hold(walletId, 100n)));
    const lease = await hold(walletId, 100n);
    // 17,400 available. Captures of 400 charge 300 beyond their holds, spends of 300 go beyond
    // the lease once it is spent: 14,900 in all, the balance ending well below 10,000.
    await Promise.all([
      ...calls.map((c, i) =>
        h.replica(i).captureHold({
          holdId: c.id,
          amount: 400n,
          idempotencyKey: `capture-${i}`,
          usage,
          chargeExcess: true,
          actor,
        }),
      ),
      ...Array.from({ length: 25 }, (_, i) =>
        h.replica(i + 1).spendFromHold({
          holdId: lease.id,
          amount: 300n,
          idempotencyKey: `spend-${i}`,
          usage,
          actor,
        }),
      ),
    ]);
    expect(await h.balance(walletId)).toMatchObject({ available: 2_500n, held: 0n });
    const [crossing] = await expectCrossings(walletId, 1);
    expect(crossing).toMatchObject({ walletId, threshold: 10_000n });
    expect(crossing!.availableAfter).toBeLessThan(10_000n);

    // A grant lifts the balance above it; the next fall below is a crossing again.
    await ledger.grant({ walletId, amount: 20_000n, idempotencyKey: 'recharge', actor });
    await hold(walletId, 13_000n);
    const [, again] = await expectCrossings(walletId, 2);
    expect(again).toMatchObject({ threshold: 10_000n, availableAfter: 9_500n });
  });

  it('records nothing for a wallet without a threshold, or one set above the balance', async () => {
    const plain = await h.fundedWallet(1000n);
    await hold(plain, 900n);
    const above = await thresholdWallet(1000n, 5000n);
    await hold(above, 900n);
    await ledger.grant({ walletId: above, amount: 1n, idempotencyKey: 'a', actor });
    await settled();
    expect(await crossingsOf(plain)).toEqual([]);
    expect(await crossingsOf(above)).toEqual([]);
  });

  it('counts holds, debits and owed debits as the available balance falls', async () => {
    const walletId = await thresholdWallet(1000n, 500n);
    await hold(walletId, 600n);
    await expectCrossings(walletId, 1);
    await h.voidOpenHolds();
    await ledger.debit({ walletId, amount: 2000n, idempotencyKey: 'lost', actor });
    const [, second] = await expectCrossings(walletId, 2);
    expect(second!.availableAfter).toBe(0n);
  });

  it('a debit taking a dispute hold crosses at most once', async () => {
    const walletId = await thresholdWallet(1000n, 500n);
    const dispute = await ledger.authorizeHold({
      walletId,
      amount: 400n,
      idempotencyKey: 'dispute',
      expiresInSeconds: 86_400,
      metadata: { purpose: 'DISPUTE' },
      actor,
    });
    // 600 available: above the threshold. The debit releases 400 and takes 400 in one update.
    await ledger.debit({ walletId, amount: 400n, holdId: dispute.id, idempotencyKey: 'd', actor });
    expect(await h.balance(walletId)).toMatchObject({ available: 600n });
    await settled();
    expect(await crossingsOf(walletId)).toEqual([]);
  });

  it('clearing the threshold stops the crossings', async () => {
    const walletId = await thresholdWallet(1000n, 500n);
    await ledger.setLowBalanceThreshold({ walletId, threshold: null });
    await hold(walletId, 900n);
    await settled();
    expect(await crossingsOf(walletId)).toEqual([]);
    expect((await ledger.reads.balances([walletId]))[0]!.lowBalanceThreshold).toBeNull();
  });

  if (mode === 'real') {
    it('a crossing is read only once no transaction begun before it is still running', async () => {
      const early = await thresholdWallet(1000n, 500n);
      const late = await thresholdWallet(1000n, 500n);
      const lease = await hold(late, 10n);
      let finish = () => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let crossed = () => {};
      const earlyCrossed = new Promise<void>((resolve) => (crossed = resolve));
      // The early transaction crosses first (it records its crossing), then stays open.
      const open = h.db
        .transaction(async (tx) => {
          await tx.query('UPDATE accounts SET debits_posted = debits_posted + 600 WHERE id = $1', [
            early,
          ]);
          crossed();
          await finished;
          throw new Error('rolled back on purpose');
        })
        .catch(() => undefined);
      await earlyCrossed;
      // The late one crosses and commits meanwhile, on another connection.
      const other = h.ledgers[1]!;
      await other.spendFromHold({ holdId: lease.id, amount: 700n, idempotencyKey: 's', actor });
      expect(await crossingsOf(late, other)).toEqual([]);
      finish();
      await open;
      await expectCrossings(late, 1);
      await settled();
      expect(await crossingsOf(early)).toEqual([]);
    });
  }
});
