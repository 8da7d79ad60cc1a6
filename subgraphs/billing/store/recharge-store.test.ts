import { randomUUID } from 'node:crypto';
import { runMigrations, type Db } from '../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { createAutoRechargeStore } from './auto-recharge-store.js';
import { billingMigrations } from './migrations.js';
import { createRechargeStore } from './recharge-store.js';

describe.each(STORE_MODES)('auto-recharge stores (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  const teamId = randomUUID();
  const recharge = (crossingId: string, team = teamId) => ({
    crossingId,
    teamId: team,
    purchaseId: randomUUID(),
    amountMinor: 1000,
    paymentMethodId: 'pm_1',
  });

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('billing');
    await runMigrations(db, billingMigrations);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('makes one recharge per crossing and at most one unfinished per team', async () => {
    const store = createRechargeStore(db);
    const first = recharge('c-1');
    expect(await store.open(first)).toBe(true);
    expect(await store.open(recharge('c-1'))).toBe(false);
    expect(await store.open(recharge('c-2'))).toBe(false);
    expect(await store.open(recharge('c-3', randomUUID()))).toBe(true);

    const claimed = await store.claimDue(10, 60_000);
    expect(claimed.map((r) => [r.crossingId, r.attempts])).toEqual(
      expect.arrayContaining([
        ['c-1', 1],
        ['c-3', 1],
      ]),
    );
    expect(await store.claimDue(10, 60_000)).toEqual([]);

    await store.failed({
      purchaseId: first.purchaseId,
      paymentId: 'pi_1',
      error: 'declined',
      retryAt: new Date(Date.now() - 1000),
    });
    const again = await store.claimDue(10, 60_000);
    expect(again.map((r) => [r.crossingId, r.attempts, r.failedPaymentIds])).toEqual([
      ['c-1', 2, ['pi_1']],
    ]);

    expect(await store.finish(first.purchaseId, 'SUCCEEDED', 'pi_2')).toBe(true);
    expect(await store.finish(first.purchaseId, 'FAILED', null)).toBe(false);
    expect(await store.open(recharge('c-4'))).toBe(true);
  });

  it('leases the crossings feed to one owner at a time', async () => {
    const store = createRechargeStore(db);
    expect(await store.leaseFeed('a', 60_000)).toEqual({ cursor: null });
    expect(await store.leaseFeed('b', 60_000)).toBeUndefined();
    expect(await store.advanceFeed('b', 'x')).toBe(false);
    expect(await store.advanceFeed('a', 'cursor-1')).toBe(true);
    await store.releaseFeed('a');
    expect(await store.leaseFeed('b', 60_000)).toEqual({ cursor: 'cursor-1' });
    await store.releaseFeed('b');
  });

  it('turns on only with a saved method, and off after the failures allowed', async () => {
    const settings = createAutoRechargeStore(db);
    const team = randomUUID();
    const input = { teamId: team, enabled: true, thresholdCredits: 5n, amountMinor: 1000 };
    expect(await settings.saveSettings(input)).toBeNull();
    expect(await settings.byTeam(team)).toBeNull();
    await settings.savePaymentMethod(team, 'pm_saved');
    expect(await settings.saveSettings(input)).toMatchObject({ enabled: true });

    expect(await settings.recordFailure(team, 'no', 3)).toMatchObject({ enabled: true });
    expect(await settings.recordFailure(team, 'no', 3)).toMatchObject({ enabled: true });
    expect(await settings.recordFailure(team, 'no', 3)).toMatchObject({
      enabled: false,
      disabledByFailures: true,
      consecutiveFailures: 3,
    });
    expect(await settings.saveSettings(input)).toMatchObject({
      enabled: true,
      disabledByFailures: false,
      consecutiveFailures: 0,
    });
  });
});
