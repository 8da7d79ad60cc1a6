import { Registry } from 'prom-client';
import {
  actor,
  openLedgerHarness,
  type LedgerHarness,
} from '../../../test/support/ledger-harness.js';
import { createRecordingLogger } from '../../../test/support/recording-logger.js';
import { createInvariantMonitor } from './invariant-monitor.js';
import { createHoldGauges, instrumentLedger } from './wallet-metrics.js';

/** The value of each series of `name` on the registry's page, by its labels. */
async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric(name)!.get();
  return Object.fromEntries(
    metric.values.map((v) => [JSON.stringify(v.labels), v.value] as [string, number]),
  );
}

// The gauges and the check read SQL that runs the same on both stores: embedded suffices.
describe('wallet metrics', () => {
  let h: LedgerHarness;
  beforeAll(async () => {
    h = await openLedgerHarness('embedded');
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts ledger writes by operation and outcome, and reads open holds and the sweep lag', async () => {
    const registry = new Registry();
    const ledger = instrumentLedger(h.ledger, registry);
    createHoldGauges(h.db, registry);
    const walletId = await h.fundedWallet(1_000n);
    await ledger.authorizeHold({
      walletId,
      amount: 400n,
      idempotencyKey: 'h1',
      expiresInSeconds: 60,
      actor,
    });
    await expect(
      ledger.authorizeHold({
        walletId,
        amount: 900n,
        idempotencyKey: 'h2',
        expiresInSeconds: 60,
        actor,
      }),
    ).rejects.toMatchObject({ extensions: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await values(registry, 'modelgraph_wallet_ledger_operations_total')).toEqual({
      '{"operation":"authorizeHold","outcome":"ok"}': 1,
      '{"operation":"authorizeHold","outcome":"INSUFFICIENT_FUNDS"}': 1,
    });
    expect(await values(registry, 'modelgraph_wallet_holds_open')).toEqual({ '{}': 1 });
    expect(await values(registry, 'modelgraph_wallet_holds_open_microcredits')).toEqual({
      '{}': 400,
    });
    expect(await values(registry, 'modelgraph_wallet_hold_sweep_lag_seconds')).toEqual({ '{}': 0 });
    // Past its expiry, unswept: the hold waits as long as the clock has gone past it.
    await h.advanceClock(90);
    const lags = await values(registry, 'modelgraph_wallet_hold_sweep_lag_seconds');
    const lag = lags['{}'] ?? 0;
    expect(lag).toBeGreaterThanOrEqual(30);
    expect(lag).toBeLessThan(40);
    await ledger.sweepExpired();
    expect(await values(registry, 'modelgraph_wallet_hold_sweep_lag_seconds')).toEqual({ '{}': 0 });
    expect(await values(registry, 'modelgraph_wallet_holds_open')).toEqual({ '{}': 0 });
    await h.resetClock();
  });

  it('reports each ledger invariant, and a broken one as 0 with an error logged', async () => {
    const { logger, errors } = createRecordingLogger();
    let registry = new Registry();
    const check = async () => {
      registry = new Registry();
      const monitor = createInvariantMonitor(h.db, registry, logger, 60_000);
      monitor.start();
      await monitor.stop(); // waits for the check that start ran
      return values(registry, 'modelgraph_wallet_ledger_invariant_ok');
    };
    const held = await check();
    expect(Object.values(held)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(errors()).toEqual([]);
    // A wallet's stored total that its transfers do not add up to: money out of nowhere.
    const walletId = await h.fundedWallet(100n);
    await h.db.query('UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = $1', [
      walletId,
    ]);
    const broken = await check();
    expect(broken['{"invariant":"conserved"}']).toBe(0);
    expect(broken['{"invariant":"totalsMatchTransfers"}']).toBe(0);
    expect(errors()).toMatchObject([
      { msg: 'ledger invariant broken', broken: expect.arrayContaining(['conserved']) },
    ]);
    const stamp = (
      await values(registry, 'modelgraph_wallet_ledger_invariant_last_check_timestamp_seconds')
    )['{}'];
    expect(stamp).toBeGreaterThan(Date.now() / 1000 - 60);
  });
});
