import { randomUUID } from 'node:crypto';
import type { Db } from '../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { BILLING_SCHEMA, prepareBillingStore } from '../server.js';
import { createEventStore, type EventStore } from './event-store.js';

/** Deliveries recorded, and outcomes settled, many in one statement (decision 88). */
describe.each(STORE_MODES)('recording and settling provider events (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let events: EventStore;
  let statements = 0;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open(BILLING_SCHEMA);
    await prepareBillingStore(db);
    events = createEventStore({
      query: (text: string, params?: unknown[]) => {
        statements += 1;
        return db.query(text, params);
      },
    } as Db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const received = async () => {
    const id = `evt_${randomUUID()}`;
    await events.received([{ id, type: 't', payloadSha256: 'h', objectId: null }]);
    return id;
  };
  const outcomes = async (ids: string[]) => {
    const page = await events.page(100, null);
    return ids.map((id) => {
      const row = page.find((r) => r.id === id)!;
      return [row.outcome, row.detail];
    });
  };

  it('records many deliveries in one statement, counting an event delivered twice', async () => {
    const known = await received();
    await events.settle([{ id: known, outcome: 'HANDLED', detail: 'granted' }]);
    const fresh = `evt_${randomUUID()}`;
    const delivery = (id: string) => ({ id, type: 't', payloadSha256: 'h', objectId: 'cs_1' });
    statements = 0;
    const rows = await events.received([delivery(fresh), delivery(known), delivery(fresh)]);
    expect(statements).toBe(1);
    expect(rows.map((r) => [r.id, r.outcome, r.deliveries])).toEqual([
      [fresh, 'RECEIVED', 2],
      [known, 'HANDLED', 2],
      [fresh, 'RECEIVED', 2],
    ]);
    const [again] = await events.received([delivery(fresh)]);
    expect([again!.outcome, again!.deliveries, again!.seq]).toEqual(['RECEIVED', 3, rows[0]!.seq]);
  });

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

  it('settles the same events from two writers at once, in opposite orders, without deadlock', async () => {
    const ids = await Promise.all(Array.from({ length: 200 }, () => received()));
    const settle = (list: string[], detail: string) =>
      events.settle(list.map((id) => ({ id, outcome: 'HANDLED' as const, detail })));
    // Each statement locks its rows as it goes; in opposite orders, two could wait on each other.
    for (let round = 0; round < 10; round += 1) {
      await Promise.all([settle(ids, 'forward'), settle([...ids].reverse(), 'backward')]);
    }
    const settled = await outcomes(ids.slice(-3)); // the newest: the page holds 100
    expect(settled.every(([outcome]) => outcome === 'HANDLED')).toBe(true);
  });
});
