import type { HoldRow } from '../../store/transfer-rows.js';
import {
  actor,
  outcomeOf,
  tally,
  useLedgerHarness,
} from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';

// Races are decided by timing: each scenario runs this many times on fresh wallets and holds.
const ITERATIONS = 10;
/** Calls `fn` now (0) or after `ms` milliseconds. */
const later = <T>(ms: number, fn: () => Promise<T>): Promise<T> =>
  ms ? new Promise((resolve) => setTimeout(resolve, ms)).then(fn) : fn();

describe.each(STORE_MODES)('ledger under concurrency (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  afterEach(async () => {
    await h.resetClock();
    await h.voidOpenHolds();
  });

  const hold = (walletId: string, amount: bigint, key: string, i = 0, expiresInSeconds = 60) =>
    h.replica(i).authorizeHold({ walletId, amount, idempotencyKey: key, expiresInSeconds, actor });
  const capture = (held: HoldRow, amount: bigint, key: string, i = 0) =>
    h.replica(i).captureHold({ holdId: held.id, amount, idempotencyKey: key, actor });

  describe('holds racing for one balance', () => {
    it('50 holds of 30 on 1000: exactly 33 succeed, the rest are refused with the figures', async () => {
      for (let run = 0; run < 5; run += 1) {
        const walletId = await h.fundedWallet(1000n);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) => outcomeOf(hold(walletId, 30n, `h${i}`, i))),
        );
        expect(tally(outcomes)).toEqual({ OK: 33, INSUFFICIENT_FUNDS: 17 });
        // A refusal comes only once 33 holds took 990, and nothing gives credits back meanwhile.
        for (const o of outcomes.filter((o) => o.code !== 'OK')) {
          expect(o.extensions).toEqual({
            code: 'INSUFFICIENT_FUNDS',
            available: '10',
            required: '30',
          });
        }
        expect(await h.balance(walletId)).toEqual({ posted: 1000n, held: 990n, available: 10n });
        expect(await h.ledgers[0]!.reads.holds(walletId, 'PENDING', 100)).toHaveLength(33);
      }
      await h.expectInvariants();
    });

    it('50 holds of mixed sizes never take more than the balance', async () => {
      for (let run = 0; run < 5; run += 1) {
        const walletId = await h.fundedWallet(1000n);
        // Sizes 7..103, summing to far more than 1000; which ones win depends on the order.
        const amounts = Array.from({ length: 50 }, (_, i) => BigInt(7 + ((i * 37 + run) % 97)));
        const outcomes = await Promise.all(
          amounts.map((amount, i) => outcomeOf(hold(walletId, amount, `m${i}`, i))),
        );
        const won = amounts.filter((_, i) => outcomes[i]!.code === 'OK');
        const sum = won.reduce((a, b) => a + b, 0n);
        expect(won.length).toBeGreaterThan(0);
        expect(sum).toBeLessThanOrEqual(1000n);
        expect(await h.balance(walletId)).toEqual({
          posted: 1000n,
          held: sum,
          available: 1000n - sum,
        });
        outcomes.forEach((o, i) => {
          if (o.code === 'OK') return;
          expect(o.code).toBe('INSUFFICIENT_FUNDS');
          expect(o.extensions.required).toBe(String(amounts[i]));
          const available = BigInt(o.extensions.available as string);
          expect(available).toBeGreaterThanOrEqual(1000n - sum);
          expect(available).toBeLessThan(amounts[i]!);
        });
      }
      await h.expectInvariants();
    });
  });

  describe('resolutions racing for one hold', () => {
    it('capture racing void: exactly one wins, the other is HOLD_ALREADY_RESOLVED', async () => {
      const winners = new Set<string>();
      for (let i = 0; i < ITERATIONS; i += 1) {
        const walletId = await h.fundedWallet(100n);
        const held = await hold(walletId, 60n, 'h');
        // Every other void starts 1-3 ms late, so that both orders happen even on PGlite's queue.
        const [c, v] = await Promise.all([
          outcomeOf(capture(held, 40n, 'c', i)),
          outcomeOf(
            later(i % 2 ? i % 4 : 0, () => h.replica(i + 1).voidHold({ holdId: held.id, actor })),
          ),
        ]);
        expect([c.code, v.code].sort()).toEqual(['HOLD_ALREADY_RESOLVED', 'OK']);
        const loser = c.code === 'OK' ? v : c;
        const status = c.code === 'OK' ? 'CAPTURED' : 'VOIDED';
        expect(loser.extensions).toEqual({ code: 'HOLD_ALREADY_RESOLVED', status });
        winners.add(status);
        expect(await h.resolutionsOf(held.id)).toEqual([c.code === 'OK' ? 'CAPTURE' : 'VOID']);
        expect((await h.ledgers[0]!.reads.holdsByIds([held.id]))[0]?.status).toBe(status);
        const posted = c.code === 'OK' ? 60n : 100n;
        expect(await h.balance(walletId)).toEqual({ posted, held: 0n, available: posted });
      }
      console.info(`[${mode}] capture vs void winners over ${ITERATIONS} runs:`, [...winners]);
      await h.expectInvariants();
    });

    it('capture racing the sweeper after expiry: HOLD_EXPIRED, released exactly once', async () => {
      for (let i = 0; i < ITERATIONS; i += 1) {
        await h.resetClock();
        const walletId = await h.fundedWallet(100n);
        const held = await hold(walletId, 60n, 'h', i, 30);
        await h.advanceClock(31);
        // Every other sweeper starts late, so that the capture also reaches the hold first.
        const [c, swept] = await Promise.all([
          outcomeOf(capture(held, 60n, 'c', i)),
          later(i % 2 ? i % 4 : 0, () => h.replica(i + 1).sweepExpired()),
        ]);
        expect(c).toEqual({
          code: 'HOLD_EXPIRED',
          extensions: { code: 'HOLD_EXPIRED', expiredAt: held.expiresAt.toISOString() },
        });
        expect(swept).toBe(1);
        expect(await h.ledgers[0]!.sweepExpired()).toBe(0);
        expect(await h.resolutionsOf(held.id)).toEqual(['EXPIRE']);
        expect(await h.balance(walletId)).toEqual({ posted: 100n, held: 0n, available: 100n });
      }
      await h.expectInvariants();
    });

    it('capture racing the sweeper before expiry: the capture wins, nothing is swept', async () => {
      for (let i = 0; i < ITERATIONS; i += 1) {
        const walletId = await h.fundedWallet(100n);
        const held = await hold(walletId, 60n, 'h', i, 30);
        await h.advanceClock(25);
        const [c, swept] = await Promise.all([
          outcomeOf(capture(held, 45n, 'c', i)),
          later(i % 2 ? i % 4 : 0, () => h.replica(i + 1).sweepExpired()),
        ]);
        await h.resetClock();
        expect(c.code).toBe('OK');
        expect(swept).toBe(0);
        expect(await h.resolutionsOf(held.id)).toEqual(['CAPTURE']);
        expect(await h.balance(walletId)).toEqual({ posted: 55n, held: 0n, available: 55n });
      }
      await h.expectInvariants();
    });

    it('two captures with different keys: one wins, money moves once', async () => {
      for (let i = 0; i < ITERATIONS; i += 1) {
        const walletId = await h.fundedWallet(100n);
        const held = await hold(walletId, 60n, 'h');
        const outcomes = await Promise.all([
          outcomeOf(capture(held, 50n, 'c1', i)),
          outcomeOf(capture(held, 50n, 'c2', i + 1)),
        ]);
        expect(tally(outcomes)).toEqual({ OK: 1, HOLD_ALREADY_RESOLVED: 1 });
        expect(outcomes.find((o) => o.code !== 'OK')?.extensions.status).toBe('CAPTURED');
        expect(await h.resolutionsOf(held.id)).toEqual(['CAPTURE']);
        expect(await h.balance(walletId)).toEqual({ posted: 50n, held: 0n, available: 50n });
      }
      await h.expectInvariants();
    });

    it('a capture above the hold is refused with the figures and moves nothing', async () => {
      const walletId = await h.fundedWallet(100n);
      const held = await hold(walletId, 60n, 'h');
      const before = await h.transferCount(walletId);
      const outcomes = await Promise.all([
        outcomeOf(capture(held, 61n, 'over', 0)),
        outcomeOf(capture(held, 1000n, 'way-over', 1)),
      ]);
      expect(outcomes.map((o) => o.extensions)).toEqual([
        { code: 'CAPTURE_EXCEEDS_HOLD', held: '60', required: '61' },
        { code: 'CAPTURE_EXCEEDS_HOLD', held: '60', required: '1000' },
      ]);
      expect(await h.transferCount(walletId)).toBe(before);
      expect(await h.balance(walletId)).toEqual({ posted: 100n, held: 60n, available: 40n });
      expect((await capture(held, 60n, 'exact')).status).toBe('CAPTURED');
      await h.expectInvariants();
    });

    it('two sweepers on 30 expired holds release each exactly once', async () => {
      for (let i = 0; i < ITERATIONS; i += 1) {
        await h.resetClock();
        // Three wallets, so that the holds span several wallets and revenue shards.
        const wallets = await Promise.all([1, 2, 3].map(() => h.fundedWallet(500n)));
        const holds = await Promise.all(
          Array.from({ length: 30 }, (_, j) => hold(wallets[j % 3]!, 40n, `h${j}`, j, 10)),
        );
        await h.advanceClock(11);
        const counts = await Promise.all([
          h.replica(0).sweepExpired(),
          h.replica(1).sweepExpired(),
        ]);
        expect(counts[0]! + counts[1]!).toBe(30);
        for (const held of holds) expect(await h.resolutionsOf(held.id)).toEqual(['EXPIRE']);
        for (const walletId of wallets) {
          expect(await h.balance(walletId)).toEqual({ posted: 500n, held: 0n, available: 500n });
        }
      }
      await h.expectInvariants();
    });
  });

  describe('spends racing for one hold', () => {
    it('50 spends against one hold and a void racing them: every credit charged once', async () => {
      // 5..43 each, 1,185 in all: more than the 1,000 granted, so some of it ends up owed.
      const amounts = Array.from({ length: 50 }, (_, i) => BigInt(5 + ((i * 17) % 39)));
      const total = amounts.reduce((a, b) => a + b, 0n);
      const fromHoldPerRun: string[] = [];
      for (let run = 0; run < 5; run += 1) {
        const walletId = await h.fundedWallet(1000n);
        const held = await hold(walletId, 600n, `lease-${run}`);
        // Spends arrive in five waves a millisecond apart; the void lands among them.
        const spend = (amount: bigint, i: number) =>
          later(i % 5, () =>
            h.replica(i).spendFromHold({ holdId: held.id, amount, idempotencyKey: `s${i}`, actor }),
          );
        const [voided, ...spends] = await Promise.all([
          later(run, () => h.replica(run + 1).voidHold({ holdId: held.id, actor })),
          ...amounts.map((amount, i) => spend(amount, i)),
        ]);
        // Never refused, each charged exactly its cost, from the hold or beyond it.
        expect(spends.map((s) => s.amount)).toEqual(amounts);
        const fromHold = spends.reduce((sum, s) => sum + s.amount - s.excessAmount, 0n);
        const owed = spends.reduce((sum, s) => sum + s.owedAmount, 0n);
        fromHoldPerRun.push(String(fromHold));
        expect(voided).toMatchObject({ status: 'VOIDED', spentAmount: fromHold });
        const [voidEntry] = await h.ledgers[0]!.reads.transactions(
          walletId,
          { kinds: ['VOID'] },
          null,
          1,
        );
        expect(voidEntry?.released).toBe(600n - fromHold);
        const [after] = await h.ledgers[0]!.reads.balances([walletId]);
        expect(after).toMatchObject({ held: 0n, owed });
        // What left the wallet and what it owes add up to every spend, and it is never below 0.
        expect(1000n - after!.posted + after!.owed).toBe(total);
        expect(after!.posted).toBeGreaterThanOrEqual(0n);
        expect(await h.ledgers[0]!.reads.countTransactions(walletId, { kinds: ['SPEND'] })).toBe(
          50,
        );
      }
      console.info(`[${mode}] charged from the 600 held before the void, per run:`, fromHoldPerRun);
      await h.expectInvariants();
    });
  });
});
