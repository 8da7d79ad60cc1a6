import { randomUUID } from 'node:crypto';
import type { Db } from '../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { BILLING_SCHEMA, prepareBillingStore } from '../server.js';
import { createEventStore, type EventStore } from './event-store.js';

/** Outcomes of many events settled in one statement (decision 88). */
describe.each(STORE_MODES)('settling provider events (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let events: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open(BILLING_SCHEMA);
    await prepareBillingStore(db);
    events = createEventStore(db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const received = async () => {
    const id = `evt_${randomUUID()}`;
    await events.received({ id, type: 't', payloadSha256: 'h', objectId: null });
    return id;
  };
  const outcomes = async (ids: string[]) => {
    const page = await events.page(100, null);
    return ids.map((id) => {
      const row = page.find((r) => r.id === id)!;
      return [row.outcome, row.detail];
    });
  };

  it('writes each outcome; a success overrides a failure, never the reverse', async () => {
    const [a, b, c, twice] = await Promise.all([received(), received(), received(), received()]);
    await events.settle([{ id: c, outcome: 'FAILED', detail: 'wallet down' }]);
    await events.settle([
      { id: a, outcome: 'HANDLED', detail: 'granted' },
      { id: b, outcome: 'IGNORED', detail: null },
      { id: c, outcome: 'HANDLED', detail: 'granted on retry' },
      { id: twice, outcome: 'HANDLED', detail: 'the first delivery' },
      { id: twice, outcome: 'FAILED', detail: 'a concurrent duplicate' },
    ]);
    await events.settle([{ id: a, outcome: 'FAILED', detail: 'late failure' }]);
    expect(await outcomes([a, b, c, twice])).toEqual([
      ['HANDLED', 'granted'],
      ['IGNORED', null],
      ['HANDLED', 'granted on retry'],
      ['HANDLED', 'the first delivery'],
    ]);
  });
});
