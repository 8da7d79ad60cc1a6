import { Registry } from 'prom-client';
import type { Db } from '../../../../lib/db/index.js';
import { eventually } from '../../../../test/support/eventually.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { prepareInferenceStore } from '../../server.js';
import { createUsageRollups } from '../../store/usage-rollups.js';
import { createUsageRows, type UsageRecord } from '../../store/usage-rows.js';
import { createRollupFolder } from './rollup-folder.js';
import { usageReport } from './usage-report.js';
import { createUsageWriter } from './usage-writer.js';

const AT = new Date('2026-12-07T10:15:00Z');

const record = (callId: string, over: Partial<UsageRecord> = {}): UsageRecord => ({
  callId,
  teamId: 'team-a',
  apiKeyId: 'k1',
  userId: null,
  kind: 'CHAT',
  route: 'm1',
  modelId: 'm1',
  providerId: 'p1',
  priceVersion: 1,
  inputTokens: 10,
  outputTokens: 20,
  cost: 300n,
  latencyMs: 120,
  ttftMs: null,
  outcome: 'SUCCEEDED',
  cached: false,
  requestId: `req-${callId}`,
  createdAt: AT,
  ...over,
});

/** `db` whose next `failures` statements fail: before anything is written, or after commit. */
function faultyDb(db: Db, failures: number, when: 'before' | 'after-commit'): Db {
  let left = failures;
  return Object.assign(Object.create(db) as Db, {
    async query(sql: string, params?: readonly unknown[]) {
      if (left > 0 && when === 'before') {
        left -= 1;
        throw new Error('connection reset');
      }
      const result = await db.query(sql, params);
      if (left > 0) {
        left -= 1;
        throw new Error('commit acknowledgement lost');
      }
      return result;
    },
  });
}

const count = async (db: Db, sql: string) =>
  Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

describe.each(STORE_MODES)('usage writer (%s database)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('inference');
    await prepareInferenceStore(db);
  }, 60_000);
  afterEach(() => database.drop());

  const writerOn = (target: Db) => {
    const log = createRecordingLogger();
    const folder = createRollupFolder({
      rows: createUsageRows(db),
      logger: log.logger,
      retentionDays: 90,
      now: () => AT.getTime(),
    });
    const writer = createUsageWriter({
      db: target,
      logger: log.logger,
      registry: new Registry(),
      firstRetryMs: 5,
      onWritten: folder.soon,
    });
    return { writer, log, folder, rollups: createUsageRollups(db, folder.catchUp) };
  };

  it('writes concurrent records in group commits, each once, with hourly and daily rollups', async () => {
    const { writer, rollups, folder } = writerOn(db);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writer.write(record(`c${i}`, { modelId: i % 2 ? 'm1' : 'm2', latencyMs: i * 10 })),
      ),
    );
    await writer.write(record('c7'));
    expect(await count(db, 'SELECT count(*) AS n FROM usage_records')).toBe(50);
    // Written, and queued for the rollups: the report folds the queue before it reads.
    expect(await count(db, 'SELECT count(*) AS n FROM usage_rollup_pending')).toBe(50);
    const report = await usageReport(rollups, {
      teamId: 'team-a',
      from: new Date('2026-12-07T00:00:00Z'),
      to: new Date('2026-12-08T00:00:00Z'),
      granularity: 'HOUR',
      groupBy: ['MODEL'],
    });
    expect(report.totals).toMatchObject({ requests: 50, inputTokens: 500, cost: 15_000n });
    expect(report.series.map((s) => [s.group.modelId, s.totals.requests]).sort()).toEqual([
      ['m1', 25],
      ['m2', 25],
    ]);
    expect(report.series[0]!.points.map((p) => p.start)).toEqual([
      new Date('2026-12-07T10:00:00Z'),
    ]);
    // Latencies 0..490 ms: the median falls in the 200–300 ms bucket, p99 in 400–500 ms.
    expect(report.totals.latencyMs!.p50).toBeGreaterThan(200);
    expect(report.totals.latencyMs!.p50).toBeLessThanOrEqual(300);
    expect(report.totals.latencyMs!.p99).toBeGreaterThan(400);
    expect(report.totals.timeToFirstTokenMs).toBeNull();
    expect(await count(db, 'SELECT count(*) AS n FROM usage_rollup_pending')).toBe(0);
    await writer.stop();
    await folder.stop();
  });

  it('folds written records into the rollups on its own, after a short delay', async () => {
    const { writer, folder } = writerOn(db);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(record(`f${i}`))));
    await eventually(
      'the records folded',
      async () =>
        (await count(db, 'SELECT sum(requests) AS n FROM usage_team_rollups')) === 40 || undefined,
      { timeoutMs: 10_000 },
    );
    expect(await count(db, 'SELECT count(*) AS n FROM usage_rollup_pending')).toBe(0);
    await writer.stop();
    await folder.stop();
  });

  it('keeps a record whose write failed and writes it on a retry, without failing the call', async () => {
    const { writer, log, folder } = writerOn(faultyDb(db, 2, 'before'));
    await writer.write(record('retried'));
    expect(await count(db, 'SELECT count(*) AS n FROM usage_records')).toBe(0);
    expect(log.errors().map((l) => l.msg)).toContain(
      'usage records not written; kept in memory and retried',
    );
    await writer.drained();
    expect(await count(db, 'SELECT count(*) AS n FROM usage_records')).toBe(1);
    await folder.catchUp();
    expect(await count(db, `SELECT sum(requests) AS n FROM usage_team_rollups`)).toBe(2);
    await writer.stop();
    await folder.stop();
  });

  it('a retry of a write that did commit adds nothing: no second record, no double rollup', async () => {
    const { writer, folder } = writerOn(faultyDb(db, 1, 'after-commit'));
    await writer.write(record('committed'));
    await writer.drained();
    expect(await count(db, 'SELECT count(*) AS n FROM usage_records')).toBe(1);
    await folder.catchUp();
    // One hourly and one daily team row, one of each org-wide: one request each.
    expect(await count(db, 'SELECT sum(requests) AS n FROM usage_team_rollups')).toBe(2);
    expect(await count(db, 'SELECT sum(requests) AS n FROM usage_org_rollups')).toBe(2);
    await writer.stop();
    await folder.stop();
  });

  it('deletes raw records past the retention once folded, and keeps the rollups', async () => {
    const { writer, rollups, folder } = writerOn(db);
    await writer.write(record('old', { createdAt: new Date(AT.getTime() - 91 * 86_400_000) }));
    await writer.write(record('new'));
    await writer.stop();
    await folder.stop();
    const old = await rollups.points({
      grain: 'DAY',
      teamId: 'team-a',
      from: new Date(AT.getTime() - 92 * 86_400_000),
      to: new Date(AT.getTime() - 90 * 86_400_000),
      groupBy: [],
    });
    expect(old.map((p) => p.sums.requests)).toEqual([1]);
    // The first fold prunes (in the background, then not for an hour).
    await eventually(
      'the old record deleted',
      async () => {
        const { rows } = await db.query<{ call_id: string }>('SELECT call_id FROM usage_records');
        return rows.length === 1 && rows[0]!.call_id === 'new' ? true : undefined;
      },
      { timeoutMs: 10_000 },
    );
  });
});
