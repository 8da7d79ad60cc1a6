/**
 * Webhook delivery under the faults billing must survive: retries after a failing endpoint,
 * duplicates, a shuffled order, events held back and released, and a resend of an old event.
 */
import Stripe from 'stripe';
import {
  startStripeEmulator,
  type TestStripeEmulator,
} from '../../../test/support/stripe-emulator.js';
import { startWebhookReceiver } from '../../../test/support/webhook-receiver.js';

let emulator: TestStripeEmulator;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startStripeEmulator({ webhookUrl: receiver.url, retryDelaysMs: [5, 10, 20] });
  stripe = emulator.stripeClient();
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});
beforeEach(() => {
  emulator.reset();
  receiver.clear();
});

const newSession = () =>
  stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Credits' } },
        quantity: 1,
      },
    ],
    success_url: 'http://app.test/ok',
  });

async function paidCheckout(): Promise<string> {
  const session = await newSession();
  emulator.completeCheckout(session.id, { outcome: 'paid' });
  return session.id;
}

/** A transition that emits exactly one event (`checkout.session.expired`). */
async function expiredCheckout(): Promise<string> {
  const session = await newSession();
  await stripe.checkout.sessions.expire(session.id);
  return session.id;
}

const verify = (body: string, signature: string | undefined) =>
  stripe.webhooks.constructEvent(body, signature ?? '', emulator.signingSecret, 300);

test('a failing endpoint is retried with a fresh signature until it answers 2xx', async () => {
  receiver.respondWith(500, 503);
  await expiredCheckout();
  await emulator.whenDelivered();

  const first = emulator.deliveries;
  expect(first.map((d) => [d.type, d.attempt, d.status])).toEqual([
    ['checkout.session.expired', 1, 500],
    ['checkout.session.expired', 2, 503],
    ['checkout.session.expired', 3, 200],
  ]);
  // Every attempt carries the same bytes, each signed validly.
  expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  for (const r of receiver.received) expect(verify(r.body, r.signature).id).toMatch(/^evt_/);
  const event = await stripe.events.retrieve(first[0].eventId);
  expect(event.pending_webhooks).toBe(0);
});

test('delivery gives up after the last retry, and a network error counts as a failure', async () => {
  receiver.respondWith(500, 500, 500, 500);
  await expiredCheckout();
  await emulator.whenDelivered();
  const attempts = emulator.deliveries;
  expect(attempts.map((d) => d.status)).toEqual([500, 500, 500, 500]);
  expect(emulator.pendingDeliveries()).toEqual([]);
  const event = await stripe.events.retrieve(attempts[0].eventId);
  expect(event.pending_webhooks).toBe(1);

  const nobody = await startWebhookReceiver();
  await nobody.close();
  emulator.setWebhookUrl(nobody.url);
  emulator.setDelivery({});
  emulator.redeliver(event.id);
  await emulator.whenDelivered();
  expect(emulator.deliveries.slice(-4).map((d) => [d.attempt, d.status])).toEqual([
    [1, null],
    [2, null],
    [3, null],
    [4, null],
  ]);
  emulator.setWebhookUrl(receiver.url);
});

test('duplicates and shuffle deliver every event the set number of times, in some order', async () => {
  emulator.setDelivery({ duplicates: 2, shuffle: true, concurrency: 3 });
  await paidCheckout();
  await paidCheckout();
  await emulator.whenDelivered();

  const emitted = emulator.events().map((e) => e.id);
  expect(emitted).toHaveLength(4);
  const counts = new Map<string, number>();
  for (const { id } of receiver.accepted()) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual([...emitted].sort());
  expect([...counts.values()]).toEqual([3, 3, 3, 3]);
});

test('held-back events wait for flush, and a resend repeats an event with the same id', async () => {
  emulator.setDelivery({ holdBack: true, shuffle: true });
  await paidCheckout();
  await emulator.whenDelivered(); // held events do not count as undelivered
  expect(receiver.received).toEqual([]);
  expect(emulator.pendingDeliveries().map((p) => [p.type, p.state])).toEqual([
    ['payment_intent.succeeded', 'held'],
    ['checkout.session.completed', 'held'],
  ]);

  emulator.flush();
  await emulator.whenDelivered();
  expect(
    receiver
      .accepted()
      .map((e) => e.type)
      .sort(),
  ).toEqual(['checkout.session.completed', 'payment_intent.succeeded']);

  emulator.setDelivery({ holdBack: false });
  const completed = emulator.events().find((e) => e.type === 'checkout.session.completed');
  emulator.redeliver(completed?.id as string);
  await emulator.whenDelivered();
  const original = receiver.received.find((r) => r.body.includes(completed?.id as string));
  const resent = receiver.received[receiver.received.length - 1];
  expect(receiver.received).toHaveLength(3);
  expect(resent.body).toBe(original?.body);
  expect(verify(resent.body, resent.signature).id).toBe(completed?.id);
});

test('without shuffle, events arrive in the order they happened', async () => {
  emulator.setDelivery({ delayMs: 5 });
  const sessionId = await paidCheckout();
  const pi = (await stripe.checkout.sessions.retrieve(sessionId)).payment_intent as string;
  await stripe.refunds.create({ payment_intent: pi, amount: 100 });
  await emulator.whenDelivered();
  expect(receiver.accepted().map((e) => e.type)).toEqual([
    'payment_intent.succeeded',
    'checkout.session.completed',
    'refund.created',
    'charge.refunded',
  ]);
});
