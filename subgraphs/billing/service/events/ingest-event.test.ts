import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { Db } from '../../../../lib/db/index.js';
import { createLogger } from '../../../../lib/logging.js';
import { createServiceMetrics } from '../../../../lib/metrics.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { BILLING_SCHEMA, prepareBillingStore } from '../../server.js';
import { createEventStore, type EventStore } from '../../store/event-store.js';
import type { HandledEvent } from './event-handlers.js';
import { createEventIngestion, RejectedDelivery } from './ingest-event.js';

const SECRET = 'whsec_ingest_test';
const stripe = new Stripe('sk_test_ingest', { maxNetworkRetries: 0 });

/** A signed delivery of one event, as the provider sends it. */
function delivery(id: string) {
  const payload = JSON.stringify({
    id,
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: { id: `cs_${id}` } },
  });
  return {
    payload,
    signature: stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
  };
}

/** Concurrent deliveries of one event (decision 88): recorded together, acted on once here. */
describe.each(STORE_MODES)('webhook ingestion (%s stores)', (mode) => {
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

  /** An ingestion whose one handler waits for `release` and counts its calls. */
  function ingestionWith(outcome: () => HandledEvent) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const ingest = createEventIngestion({
      stripe,
      webhookSecret: SECRET,
      events,
      handlers: {
        'checkout.session.completed': async () => {
          calls += 1;
          await released;
          return outcome();
        },
      },
      logger: createLogger({ service: 'billing-test', level: 'silent' }),
      metrics: createServiceMetrics('billing-test'),
    });
    return { ingest, release, calls: () => calls };
  }

  const recorded = async (id: string) => (await events.page(100, null)).find((e) => e.id === id);

  it('acts once on an event delivered three times at once; the others wait for its outcome', async () => {
    const id = `evt_${randomUUID()}`;
    const { ingest, release, calls } = ingestionWith(() => ({ outcome: 'HANDLED', detail: 'ok' }));
    const { payload, signature } = delivery(id);
    const answers = [1, 2, 3].map((n) => ingest(payload, signature, `req-${n}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const outcomes = (await Promise.all(answers)).map((a) => a.outcome).sort();
    expect(outcomes).toEqual(['DUPLICATE', 'DUPLICATE', 'HANDLED']);
    expect(calls()).toBe(1);
    expect(await recorded(id)).toMatchObject({ outcome: 'HANDLED', deliveries: 3 });
    // A later redelivery is answered from the store, without acting.
    expect((await ingest(payload, signature, 'req-4')).outcome).toBe('DUPLICATE');
    expect(calls()).toBe(1);
  });

  it('fails every waiting delivery when acting fails, so the provider sends it again', async () => {
    const id = `evt_${randomUUID()}`;
    const { ingest, release, calls } = ingestionWith(() => {
      throw new Error('wallet down');
    });
    const { payload, signature } = delivery(id);
    const answers = [1, 2].map((n) => ingest(payload, signature, `req-${n}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(calls()).toBe(1);
    expect(await recorded(id)).toMatchObject({ outcome: 'FAILED', deliveries: 2 });
  });

  it('refuses a bad signature before anything is stored', async () => {
    const id = `evt_${randomUUID()}`;
    const { ingest } = ingestionWith(() => ({ outcome: 'HANDLED', detail: 'ok' }));
    const { payload } = delivery(id);
    await expect(ingest(payload, 't=1,v1=bad', 'req-1')).rejects.toBeInstanceOf(RejectedDelivery);
    expect(await recorded(id)).toBeUndefined();
  });
});
