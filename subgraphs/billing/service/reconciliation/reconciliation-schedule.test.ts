import type { Db } from '../../../../lib/db/index.js';
import { runMigrations } from '../../../../lib/db/index.js';
import type { Logger } from '../../../../lib/logging.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { billingMigrations } from '../../store/migrations.js';
import { createReconciliationStore } from '../../store/reconciliation-store.js';
import { createReconciliationSchedule } from './reconciliation-schedule.js';
import type { Reconciliation } from './run-reconciliation.js';

describe.each(STORE_MODES)('the scheduled reconciliation (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('billing');
    await runMigrations(db, billingMigrations);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const replica = (runs: Array<{ since: Date; startedBy: string }>, intervalMinutes = 60) =>
    createReconciliationSchedule({
      reconciliation: {
        run: async (input: { since: Date; startedBy: string }) => {
          runs.push(input);
        },
      } as unknown as Reconciliation,
      runs: createReconciliationStore(db),
      intervalMinutes,
      windowHours: 72,
      logger: { error: () => undefined } as unknown as Logger,
      now: () => new Date('2026-05-04T12:00:00Z'),
    });

  it('runs on one replica per interval: the lease keeps the others out', async () => {
    const runs: Array<{ since: Date; startedBy: string }> = [];
    const [a, b, c] = [replica(runs), replica(runs), replica(runs)];
    const ran = await Promise.all([a.tick(), b.tick(), c.tick()]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(runs).toEqual([
      expect.objectContaining({
        since: new Date('2026-05-01T12:00:00Z'),
        startedBy: 'system:reconciliation',
      }),
    ]);
    // Once the lease has expired, the next tick anywhere runs, once.
    await db.query(`UPDATE reconciliation_lease SET expires_at = now() - interval '1 second'`);
    expect((await Promise.all([b.tick(), c.tick()])).filter(Boolean)).toHaveLength(1);
    expect(runs).toHaveLength(2);
  });

  it('never starts with an interval of 0', () => {
    const off = replica([], 0);
    off.start();
    expect(off.started).toBe(false);
    const on = replica([], 60);
    on.start();
    expect(on.started).toBe(true);
    return on.stop();
  });
});
