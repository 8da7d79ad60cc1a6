import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Db } from '../../../../lib/db/index.js';
import {
  INVARIANTS,
  actor,
  apply,
  expired,
  label,
  monthAt,
  opArb,
  predict,
  resolve,
  type Call,
  type KeyedCall,
  type Model,
  type Op,
} from '../../../../test/support/ledger-model.js';
import { useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { checkLedgerInvariants } from '../../store/invariants.js';
import type { Ledger } from './ledger.js';

/*
 * Model-based test: random sequences of ledger operations over two or three wallets, each checked
 * against a plain in-memory model (test/support/ledger-model.ts) after every step: outcome,
 * balances, hold statuses, invariants.
 */
describe.each(STORE_MODES)('ledger against a model (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  let db: Db;
  let ledger: Ledger;
  beforeAll(() => {
    ({ db, ledger } = h);
  });

  const captureOf = async (holdId: string) => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM transfers WHERE pending_id = $1 AND kind = 'CAPTURE'`,
      [holdId],
    );
    return { id: rows[0]?.id ?? 'no capture' };
  };

  /** Runs a call on the ledger: 'OK' or the error code, and the id of what it made or replayed. */
  async function execute(c: Call): Promise<{ outcome: string; id: string }> {
    const ok = async (made: Promise<{ id: string }>) => ({ outcome: 'OK', id: (await made).id });
    try {
      if (c.t === 'advance') {
        if (c.seconds)
          await db.query('INSERT INTO clock_offset (seconds) VALUES ($1)', [c.seconds]);
        return { outcome: c.sweep ? `SWEPT ${await ledger.sweepExpired(10_000)}` : 'OK', id: '' };
      }
      if (c.t === 'void') return await ok(ledger.voidHold({ holdId: c.hold.id, actor }));
      const { amount, key: idempotencyKey } = c;
      if (c.t === 'grant')
        return await ok(ledger.grant({ walletId: c.wallet.id, amount, idempotencyKey, actor }));
      if (c.t === 'hold') {
        const input = { walletId: c.wallet.id, amount, expiresInSeconds: c.expiry };
        return await ok(ledger.authorizeHold({ ...input, idempotencyKey, actor }));
      }
      if (c.t === 'refund')
        return await ok(ledger.refund({ captureId: c.capture.id, amount, idempotencyKey, actor }));
      await ledger.captureHold({ holdId: c.hold.id, amount, idempotencyKey, actor });
      return await ok(captureOf(c.hold.id));
    } catch (error) {
      const code = (error as { extensions?: { code?: string } }).extensions?.code;
      return { outcome: code ?? String(error), id: '' };
    }
  }

  /** Balances, hold statuses and invariants, all as the model has them. */
  async function expectAgrees(m: Model, step: string, spendKnown: boolean) {
    const figures = (posted: bigint, held: bigint, available: bigint, spent: bigint) =>
      spendKnown ? { posted, held, available, spent } : { posted, held, available };
    const balances = await ledger.reads.balances(m.wallets.map((w) => w.id));
    const holds = new Map(
      (await ledger.reads.holdsByIds(m.holds.map((h) => h.id))).map((r) => [r.id, r]),
    );
    expect({
      step,
      wallets: balances.map((b) => figures(b.posted, b.held, b.available, b.monthToDateSpend)),
      holds: m.holds.map((h) => [holds.get(h.id)?.status, holds.get(h.id)?.capturedAmount]),
      invariants: await checkLedgerInvariants(db),
    }).toEqual({
      step,
      wallets: m.wallets.map((w) => figures(w.posted, w.held, w.posted - w.held, w.spent)),
      holds: m.holds.map((h) => [
        h.state === 'OPEN' ? (expired(h, m.offset) ? 'EXPIRED' : 'PENDING') : h.state,
        h.captured ?? null,
      ]),
      invariants: INVARIANTS,
    });
  }

  it('agrees with the model after every step of random operation sequences', async () => {
    const run = async (walletCount: number, ops: Op[]) => {
      // Fresh state: every earlier run's holds released, the clock back to now, new wallets.
      await db.query('INSERT INTO clock_offset (seconds) VALUES (864000)');
      await ledger.sweepExpired(100_000);
      await db.query('DELETE FROM clock_offset');
      const m: Model = { offset: 0, wallets: [], holds: [], captures: [], keys: new Map() };
      for (let i = 0; i < walletCount; i++) {
        m.wallets.push({ id: randomUUID(), name: `w${i}`, posted: 0n, held: 0n, spent: 0n });
      }
      const month = monthAt(0);
      const keyed: KeyedCall[] = [];
      for (const [i, op] of ops.entries()) {
        const call = resolve(m, op, keyed);
        if (!call) continue;
        const step = `step ${i}: ${label(call)}`;
        const expected = predict(m, call);
        const actual = await execute(call);
        expect({ step, outcome: actual.outcome }).toEqual({ step, outcome: expected.outcome });
        if (expected.replayOf)
          expect({ step, id: actual.id }).toEqual({ step, id: expected.replayOf });
        else if (/^(OK|SWEPT)/.test(expected.outcome)) apply(m, call, actual.id);
        if ('key' in call) keyed.push(call);
        // Spend counts by UTC month of the ledger's clock: past a month boundary, stop checking it.
        await expectAgrees(m, step, monthAt(m.offset) === month);
      }
    };
    const ops = fc.array(opArb, { minLength: 5, maxLength: 40, size: 'max' });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 3 }), ops, run), { numRuns: 50 });
  }, 120_000);
});
