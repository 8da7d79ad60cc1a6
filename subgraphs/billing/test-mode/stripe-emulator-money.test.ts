/**
 * After the payment, with the real `stripe` SDK: refunds (partial, the rest, too much), disputes,
 * the event log's pagination and filters, the clock expiring sessions, and a payment that no event
 * announced (what reconciliation must find).
 */
import Stripe from 'stripe';
import {
  startStripeEmulator,
  type TestStripeEmulator,
} from '../../../test/support/stripe-emulator.js';

let emulator: TestStripeEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.stripeClient();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

async function paidPayment(amount = 5000): Promise<string> {
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        price_data: { currency: 'usd', unit_amount: amount, product_data: { name: 'Credits' } },
        quantity: 1,
      },
    ],
    success_url: 'http://app.test/ok',
  });
  emulator.completeCheckout(session.id, { outcome: 'paid' });
  return (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
}

const eventsOf = (type: string) => emulator.events().filter((e) => e.type === type);

test('refunds: a part, then the rest, then nothing more', async () => {
  const pi = await paidPayment(5000);
  const part = await stripe.refunds.create({
    payment_intent: pi,
    amount: 1500,
    metadata: { reason: 'x' },
  });
  expect(part).toMatchObject({
    object: 'refund',
    amount: 1500,
    status: 'succeeded',
    payment_intent: pi,
  });

  await expect(stripe.refunds.create({ payment_intent: pi, amount: 4000 })).rejects.toMatchObject({
    statusCode: 400,
    code: 'amount_too_large',
    param: 'amount',
  });
  const rest = emulator.refundFromDashboard(pi);
  expect(rest.amount).toBe(3500);
  await expect(stripe.refunds.create({ payment_intent: pi })).rejects.toMatchObject({
    code: 'charge_already_refunded',
  });

  const listed = await stripe.refunds.list({ payment_intent: pi });
  expect(listed.data.map((r) => r.amount)).toEqual([3500, 1500]);
  const charges = eventsOf('charge.refunded').map((e) => e.data.object as Stripe.Charge);
  expect(charges.map((c) => [c.amount_refunded, c.refunded, c.payment_intent])).toEqual([
    [1500, false, pi],
    [5000, true, pi],
  ]);
  expect(charges[1].refunds?.data.map((r) => r.id)).toEqual([rest.id, part.id]);
  expect(eventsOf('refund.created').map((e) => e.request)).toEqual([
    { id: expect.stringMatching(/^req_/), idempotency_key: expect.stringMatching(/\S/) },
    { id: null, idempotency_key: null },
  ]);
});

test('disputes open and close with events, and a disputed charge cannot be refunded', async () => {
  const pi = await paidPayment(5000);
  const opened = emulator.openDispute(pi, 4000);
  expect(opened).toMatchObject({
    object: 'dispute',
    amount: 4000,
    payment_intent: pi,
    status: 'needs_response',
  });
  await expect(stripe.refunds.create({ payment_intent: pi })).rejects.toMatchObject({
    code: 'charge_disputed',
  });
  emulator.closeDispute(opened.id, 'lost');
  expect(await stripe.disputes.retrieve(opened.id)).toMatchObject({
    status: 'lost',
    charge: opened.charge,
  });
  expect((await stripe.disputes.list({ payment_intent: pi })).data.map((d) => d.id)).toEqual([
    opened.id,
  ]);
  const statuses = [
    ...eventsOf('charge.dispute.created'),
    ...eventsOf('charge.dispute.closed'),
  ].map((e) => (e.data.object as Stripe.Dispute).status);
  expect(statuses).toEqual(['needs_response', 'lost']);
  expect(() => emulator.closeDispute(opened.id, 'won')).toThrow(/already closed/);
});

test('the event log pages with for await and filters by type and created', async () => {
  for (let i = 0; i < 3; i++) await paidPayment(1000 + i);
  const seen: string[] = [];
  for await (const event of stripe.events.list({ limit: 2 })) seen.push(event.id);
  const all = emulator.events().map((e) => e.id);
  expect(seen).toEqual([...all].reverse());
  expect(seen).toHaveLength(6);

  const first = await stripe.events.list({ limit: 2 });
  expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/events' });
  const next = await stripe.events.list({ limit: 2, starting_after: first.data[1].id });
  expect(next.data[0].id).toBe(seen[2]);

  const completed = await stripe.events
    .list({ type: 'checkout.session.*' })
    .autoPagingToArray({ limit: 10 });
  expect(completed.map((e) => e.type)).toEqual(Array(3).fill('checkout.session.completed'));
  const later = emulator.clock + 3600;
  expect((await stripe.events.list({ created: { gte: later } })).data).toEqual([]);
  expect((await stripe.events.list({ created: { lte: later } })).data).toHaveLength(6);
});

test('moving the clock past expires_at expires open sessions', async () => {
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    success_url: 'http://app.test/ok',
    expires_at: emulator.clock + 3600,
  });
  emulator.clock += 3601;
  expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  expect(eventsOf('checkout.session.expired')).toHaveLength(1);
  expect(() => emulator.completeCheckout(session.id, { outcome: 'paid' })).toThrow(/expired/);
});

test('a payment without an event is listable for reconciliation', async () => {
  const customer = await stripe.customers.create({ metadata: { team: 't-1' } });
  const unseen = emulator.createPaidPaymentWithoutEvent({
    amount: 2500,
    currency: 'usd',
    metadata: { purchase: 'p-9' },
    customer: customer.id,
  });
  expect(emulator.events()).toEqual([]);
  const listed = await stripe.paymentIntents.list({
    customer: customer.id,
    expand: ['data.latest_charge'],
  });
  expect(listed.data.map((pi) => [pi.id, pi.status, pi.metadata.purchase])).toEqual([
    [unseen.id, 'succeeded', 'p-9'],
  ]);
  expect((listed.data[0].latest_charge as Stripe.Charge).amount).toBe(2500);
});
