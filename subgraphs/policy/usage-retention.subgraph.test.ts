import type { Db } from '../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { POLICY_SCHEMA, preparePolicyStore } from './server.js';
import { createFieldUsage } from './service/field-usage.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const hash = (c: string) => c.repeat(64);
const operation = (c: string) => ({
  hash: hash(c),
  name: `Op${c}`,
  type: 'query' as const,
  coordinates: ['Query.viewer'],
});
const count = (c: string, hour: number) => ({
  hour: new Date(hour).toISOString(),
  clientName: 'web',
  clientVersion: '1.0',
  hash: hash(c),
  name: `Op${c}`,
  count: 1,
});

/** Usage is kept `retentionDays`: older hours go when a report comes in, at most once an hour. */
describe.each(STORE_MODES)('field usage retention (%s database)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open(POLICY_SCHEMA);
    await preparePolicyStore(db);
  });
  afterAll(() => database?.drop());

  it('drops the hours past retention, and the operations no count names any more', async () => {
    let clock = Date.UTC(2026, 11, 1, 12);
    const usage = createFieldUsage(db, () => new Date(clock), 30);
    const hour = Math.floor(clock / HOUR_MS) * HOUR_MS;
    const since = new Date(hour - 60 * DAY_MS);
    const operations = async () =>
      (await usage.operationUsage({ since, until: new Date(hour + HOUR_MS) })).map(
        (row) => row.operationName,
      );

    // The first report records a recent hour, then prunes (nothing that old yet).
    await usage.recordUsage({
      operations: [operation('b')],
      counts: [count('b', hour - 29 * DAY_MS)],
    });
    // Within the hour, a late report of an hour past retention: kept until the next prune.
    clock += HOUR_MS / 2;
    await usage.recordUsage({
      operations: [operation('a')],
      counts: [count('a', hour - 31 * DAY_MS)],
    });
    expect((await operations()).sort()).toEqual(['Opa', 'Opb']);

    // An hour after the last prune: the hour 31 days back goes, with its operation.
    clock += HOUR_MS / 2;
    await usage.recordUsage({ operations: [], counts: [] });
    expect(await operations()).toEqual(['Opb']);
    const { rows } = await db.query<{ name: string }>('SELECT name FROM usage_operations');
    expect(rows.map((r) => r.name)).toEqual(['Opb']);
  });
});
