import {
  actor,
  outcomeOf,
  tally,
  useLedgerHarness,
} from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';

const N = 10;
const times = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

describe.each(STORE_MODES)('ledger idempotency keys (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  afterEach(async () => {
    await h.voidOpenHolds();
  });

  /** A hold of 70 under key 'h', made on replica `i`: the same request each time. */
  const sameHold = (walletId: string, i: number) =>
    h
      .replica(i)
      .authorizeHold({ walletId, amount: 70n, idempotencyKey: 'h', expiresInSeconds: 60, actor });

  /** A new wallet granted `grant`, with a hold of `amount` captured in full; the capture's id. */
  const captured = async (grant: bigint, amount: bigint) => {
    const walletId = await h.fundedWallet(grant);
    const [ledger] = h.ledgers;
    const held = await ledger!.authorizeHold({
      walletId,
      amount,
      idempotencyKey: 'h',
      expiresInSeconds: 60,
      actor,
    });
    await ledger!.captureHold({ holdId: held.id, amount, idempotencyKey: 'c', actor });
    const [capture] = await ledger!.reads.transactions(walletId, { kinds: ['CAPTURE'] }, null, 1);
    return { walletId, captureId: capture!.id };
  };

  describe('sequentially', () => {
    it('a replay returns the same transfer or hold and writes nothing', async () => {
      const [ledger] = h.ledgers;
      const walletId = await h.fundedWallet(1000n);
      const grant = { walletId, amount: 50n, idempotencyKey: 'g', memo: 'top-up', actor };
      const hold = { walletId, amount: 100n, idempotencyKey: 'h', expiresInSeconds: 60, actor };
      const granted = await ledger!.grant(grant);
      const held = await ledger!.authorizeHold(hold);
      const capture = { holdId: held.id, amount: 80n, idempotencyKey: 'c', actor };
      await ledger!.captureHold(capture);
      const [c] = await ledger!.reads.transactions(walletId, { kinds: ['CAPTURE'] }, null, 1);
      const refund = { captureId: c!.id, amount: 30n, idempotencyKey: 'r', actor };
      const refunded = await ledger!.refund(refund);
      const before = await h.transferCount();

      expect((await ledger!.grant(grant)).id).toBe(granted.id);
      expect((await ledger!.authorizeHold(hold)).id).toBe(held.id);
      expect(await ledger!.captureHold(capture)).toMatchObject({
        id: held.id,
        status: 'CAPTURED',
        capturedAmount: 80n,
      });
      expect((await ledger!.refund(refund)).id).toBe(refunded.id);
      expect(await h.transferCount()).toBe(before);
      // 1000 + 50 granted, 80 captured, 30 refunded.
      expect(await h.balance(walletId)).toEqual({ posted: 1000n, held: 0n, available: 1000n });
      await h.expectInvariants();
    });

    it('a key reused with different parameters is IDEMPOTENCY_CONFLICT and writes nothing', async () => {
      const [ledger] = h.ledgers;
      const walletId = await h.fundedWallet(1000n);
      await ledger!.grant({ walletId, amount: 50n, idempotencyKey: 'g', actor });
      const held = await ledger!.authorizeHold({
        walletId,
        amount: 100n,
        idempotencyKey: 'h',
        expiresInSeconds: 60,
        actor,
      });
      const { captureId } = await captured(100n, 10n);
      await ledger!.refund({ captureId, amount: 5n, idempotencyKey: 'r', actor });
      const before = await h.transferCount();

      const conflicts = await Promise.all([
        outcomeOf(ledger!.grant({ walletId, amount: 51n, idempotencyKey: 'g', actor })),
        outcomeOf(
          ledger!.grant({ walletId, amount: 50n, idempotencyKey: 'g', memo: 'other', actor }),
        ),
        outcomeOf(
          ledger!.authorizeHold({
            walletId,
            amount: 100n,
            idempotencyKey: 'h',
            expiresInSeconds: 61,
            actor,
          }),
        ),
        outcomeOf(ledger!.refund({ captureId, amount: 4n, idempotencyKey: 'r', actor })),
      ]);
      expect(conflicts.map((o) => o.code)).toEqual(Array(4).fill('IDEMPOTENCY_CONFLICT'));
      expect(conflicts[0]!.extensions.idempotencyKey).toBe('g');

      await ledger!.captureHold({ holdId: held.id, amount: 70n, idempotencyKey: 'c', actor });
      const after = await h.transferCount();
      expect(
        await outcomeOf(
          ledger!.captureHold({ holdId: held.id, amount: 71n, idempotencyKey: 'c', actor }),
        ),
      ).toEqual({
        code: 'IDEMPOTENCY_CONFLICT',
        extensions: { code: 'IDEMPOTENCY_CONFLICT', idempotencyKey: 'c' },
      });
      expect(after).toBe(before + 1);
      expect(await h.transferCount()).toBe(after);
      expect(await h.balance(walletId)).toEqual({ posted: 980n, held: 0n, available: 980n });
      await h.expectInvariants();
    });
  });

  describe('concurrently', () => {
    it(`${N} identical grants with one key credit once and return one transfer`, async () => {
      const walletId = await h.fundedWallet(1n);
      const grants = await times(N, (i) =>
        h.replica(i).grant({ walletId, amount: 250n, idempotencyKey: 'g', actor }),
      );
      expect(new Set(grants.map((g) => g.id)).size).toBe(1);
      expect(await h.transferCount(walletId)).toBe(2);
      expect(await h.balance(walletId)).toEqual({ posted: 251n, held: 0n, available: 251n });
      await h.expectInvariants();
    });

    it(`${N} grants with one key and different amounts: one applies, the rest conflict`, async () => {
      const walletId = await h.fundedWallet(1n);
      const outcomes = await times(N, (i) =>
        outcomeOf(
          h.replica(i).grant({ walletId, amount: BigInt(100 + i), idempotencyKey: 'g', actor }),
        ),
      );
      expect(tally(outcomes)).toEqual({ OK: 1, IDEMPOTENCY_CONFLICT: N - 1 });
      const winner = 100 + outcomes.findIndex((o) => o.code === 'OK');
      expect((await h.balance(walletId)).posted).toBe(1n + BigInt(winner));
      await h.expectInvariants();
    });

    it(`${N} identical holds with one key make one hold, held once`, async () => {
      const walletId = await h.fundedWallet(1000n);
      const holds = await times(N, (i) => sameHold(walletId, i));
      expect(new Set(holds.map((x) => x.id)).size).toBe(1);
      expect(holds[0]).toMatchObject({ status: 'PENDING', amount: 70n, idempotencyKey: 'h' });
      expect(await h.transferCount(walletId)).toBe(2);
      expect(await h.balance(walletId)).toEqual({ posted: 1000n, held: 70n, available: 930n });
      await h.expectInvariants();
    });

    it(`${N} identical captures with one key all return CAPTURED; captured once`, async () => {
      for (let run = 0; run < 5; run += 1) {
        const walletId = await h.fundedWallet(100n);
        const held = await h.ledgers[0]!.authorizeHold({
          walletId,
          amount: 60n,
          idempotencyKey: 'h',
          expiresInSeconds: 60,
          actor,
        });
        const results = await times(N, (i) =>
          h.replica(i).captureHold({ holdId: held.id, amount: 45n, idempotencyKey: 'c', actor }),
        );
        for (const r of results) {
          expect(r).toMatchObject({ id: held.id, status: 'CAPTURED', capturedAmount: 45n });
        }
        expect(await h.resolutionsOf(held.id)).toEqual(['CAPTURE']);
        expect(await h.balance(walletId)).toEqual({ posted: 55n, held: 0n, available: 55n });
      }
      await h.expectInvariants();
    });

    it(`${N} identical refunds with one key credit once`, async () => {
      const { walletId, captureId } = await captured(100n, 60n);
      const refunds = await times(N, (i) =>
        h.replica(i).refund({ captureId, amount: 25n, idempotencyKey: 'r', actor }),
      );
      expect(new Set(refunds.map((r) => r.id)).size).toBe(1);
      expect(refunds[0]).toMatchObject({ kind: 'REFUND', amount: 25n, pendingId: captureId });
      expect(await h.balance(walletId)).toEqual({ posted: 65n, held: 0n, available: 65n });
      await h.expectInvariants();
    });

    it(`${N} refunds with different keys never return more than the capture`, async () => {
      for (let run = 0; run < 5; run += 1) {
        const { walletId, captureId } = await captured(100n, 100n);
        const outcomes = await times(N, (i) =>
          outcomeOf(
            h.replica(i).refund({ captureId, amount: 30n, idempotencyKey: `r${i}`, actor }),
          ),
        );
        expect(tally(outcomes)).toEqual({ OK: 3, REFUND_EXCEEDS_CAPTURE: N - 3 });
        for (const o of outcomes.filter((o) => o.code !== 'OK')) {
          expect(o.extensions).toEqual({
            code: 'REFUND_EXCEEDS_CAPTURE',
            refundable: '10',
            required: '30',
          });
        }
        expect(await h.balance(walletId)).toEqual({ posted: 90n, held: 0n, available: 90n });
        // Mixed sizes: whatever the order, the refunds add up to at most the capture.
        const mixed = await captured(100n, 100n);
        const sizes = [45n, 35n, 25n, 15n, 5n, 40n, 20n, 10n, 30n, 50n];
        const results = await Promise.all(
          sizes.map((amount, i) =>
            outcomeOf(
              h.replica(i).refund({
                captureId: mixed.captureId,
                amount,
                idempotencyKey: `m${i}`,
                actor,
              }),
            ),
          ),
        );
        const refunded = sizes.filter((_, i) => results[i]!.code === 'OK');
        const total = refunded.reduce((a, b) => a + b, 0n);
        expect(total).toBeLessThanOrEqual(100n);
        expect(results.every((o) => ['OK', 'REFUND_EXCEEDS_CAPTURE'].includes(o.code))).toBe(true);
        expect((await h.balance(mixed.walletId)).posted).toBe(total);
      }
      await h.expectInvariants();
    });
  });

  // Regression: duplicates of one hold that the wallet can afford (or budget) only once were
  // refused with INSUFFICIENT_FUNDS / BUDGET_EXCEEDED instead of getting the hold that was made.
  it.each([
    ['is affordable', 100n, null],
    ['fits the budget', 1000n, 100n],
  ])('returns the one hold to concurrent duplicates when only one %s', async (_, grant, budget) => {
    const walletId = await h.fundedWallet(grant);
    if (budget !== null) {
      await h.ledgers[0]!.setBudget({ walletId, monthlyLimit: budget, alertThresholds: [] });
    }
    const outcomes = await times(N, (i) => outcomeOf(sameHold(walletId, i)));
    expect(tally(outcomes)).toEqual({ OK: N });
    expect((await h.ledgers[0]!.reads.balances([walletId]))[0]?.held).toBe(70n);
  });
});
