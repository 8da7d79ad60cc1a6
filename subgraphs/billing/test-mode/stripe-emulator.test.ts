/**
 * The emulator driven by the real `stripe` SDK: checkout to signed webhook, setup mode to an
 * off-session charge and its decline, idempotency, authentication, and the TEST MODE page.
 * Webhook faults are in stripe-emulator-webhooks.test.ts, money after payment (refunds,
 * disputes, the event log) in stripe-emulator-money.test.ts.
 */
import Stripe from 'stripe';
import {
  startStripeEmulator,
  type TestStripeEmulator,
} from '../../../test/support/stripe-emulator.js';
import { startWebhookReceiver } from '../../../test/support/webhook-receiver.js';
import { signPayload } from './stripe-emulator.js';

let emulator: TestStripeEmulator;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startStripeEmulator({ webhookUrl: receiver.url });
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

const credits = (name = '10 credits') => ({
  mode: 'payment' as const,
  line_items: [
    { price_data: { currency: 'usd', unit_amount: 500, product_data: { name } }, quantity: 2 },
  ],
  success_url: 'http://app.test/billing/done?session={CHECKOUT_SESSION_ID}',
  cancel_url: 'http://app.test/billing',
  client_reference_id: 'team-1',
  metadata: { purchase: 'p-1' },
  payment_intent_data: { metadata: { purchase: 'p-1' } },
});

const verified = (body: string, signature: string | undefined, secret = emulator.signingSecret) =>
  stripe.webhooks.constructEvent(body, signature ?? '', secret, 300);

test('a paid checkout sends signed events that constructEvent accepts, and refuses with another secret', async () => {
  const created = await stripe.checkout.sessions.create(credits());
  expect(created).toMatchObject({
    object: 'checkout.session',
    livemode: false,
    status: 'open',
    payment_status: 'unpaid',
    amount_total: 1000,
    currency: 'usd',
    payment_intent: null,
    url: `${emulator.url}/checkout/${created.id}`,
  });
  expect(created.id).toMatch(/^cs_test_/);

  emulator.completeCheckout(created.id, { outcome: 'paid' });
  await emulator.whenDelivered();

  const events = receiver.received.map((r) => verified(r.body, r.signature));
  expect(events.map((e) => e.type)).toEqual([
    'payment_intent.succeeded',
    'checkout.session.completed',
  ]);
  expect(receiver.received[0].contentType).toMatch(/^application\/json/);
  const completed = events[1].data.object as Stripe.Checkout.Session;
  expect(completed).toMatchObject({
    status: 'complete',
    payment_status: 'paid',
    client_reference_id: 'team-1',
  });
  expect(events[1]).toMatchObject({
    object: 'event',
    livemode: false,
    api_version: Stripe.API_VERSION,
  });

  const session = await stripe.checkout.sessions.retrieve(created.id, {
    expand: ['payment_intent'],
  });
  const pi = session.payment_intent as Stripe.PaymentIntent;
  expect(pi).toMatchObject({
    status: 'succeeded',
    amount_received: 1000,
    metadata: { purchase: 'p-1' },
  });
  expect(pi.latest_charge).toMatch(/^ch_/);
  const listed = await stripe.checkout.sessions.list({ payment_intent: pi.id });
  expect(listed.data.map((s) => s.id)).toEqual([created.id]);

  const { body, signature } = receiver.received[0];
  expect(() => verified(body, signature, 'whsec_someone_else')).toThrow(
    Stripe.errors.StripeSignatureVerificationError,
  );
  expect(() => verified(body.replace('succeeded', 'failed'), signature)).toThrow(
    Stripe.errors.StripeSignatureVerificationError,
  );
});

test('signPayload writes the header the SDK writes, and an old timestamp is refused', () => {
  const payload = JSON.stringify({ id: 'evt_1', object: 'event' });
  const timestamp = Math.floor(Date.now() / 1000);
  const secret = emulator.signingSecret;
  expect(signPayload(payload, secret, timestamp)).toBe(
    stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
  );
  expect(() => verified(payload, signPayload(payload, secret, timestamp - 600))).toThrow(
    /tolerance/,
  );
});

test('a setup session saves a card that an off-session PaymentIntent charges, until payments fail', async () => {
  const customer = await stripe.customers.create({ email: 'owner@team.test' });
  const setup = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    customer: customer.id,
    success_url: 'http://app.test/ok',
    setup_intent_data: { metadata: { team: 'team-1' } },
  });
  expect(setup.payment_status).toBe('no_payment_required');
  emulator.completeCheckout(setup.id, { outcome: 'paid' });
  const done = await stripe.checkout.sessions.retrieve(setup.id);
  const intent = await stripe.setupIntents.retrieve(done.setup_intent as string);
  expect(intent).toMatchObject({
    status: 'succeeded',
    customer: customer.id,
    metadata: { team: 'team-1' },
  });
  const method = intent.payment_method as string;
  expect(method).toMatch(/^pm_/);

  const charge = (key: string) =>
    stripe.paymentIntents.create(
      {
        amount: 2000,
        currency: 'usd',
        customer: customer.id,
        payment_method: method,
        off_session: true,
        confirm: true,
        metadata: { recharge: key },
      },
      { idempotencyKey: key },
    );
  const paid = await charge('r-1');
  expect(paid).toMatchObject({ status: 'succeeded', amount_received: 2000, customer: customer.id });

  emulator.failNextPayments(1, 'insufficient_funds');
  const declined = await charge('r-2').catch((error: unknown) => error);
  expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
  const cardError = declined as Stripe.errors.StripeCardError;
  expect(cardError).toMatchObject({
    statusCode: 402,
    code: 'card_declined',
    decline_code: 'insufficient_funds',
  });
  const failedPi = cardError.payment_intent as Stripe.PaymentIntent;
  expect(failedPi).toMatchObject({
    status: 'requires_payment_method',
    metadata: { recharge: 'r-2' },
  });
  expect(failedPi.last_payment_error).toMatchObject({
    code: 'card_declined',
    decline_code: 'insufficient_funds',
  });
  // Retrying the same request replays the decline; the next new payment goes through.
  await expect(charge('r-2')).rejects.toMatchObject({ payment_intent: { id: failedPi.id } });
  await expect(charge('r-3')).resolves.toMatchObject({ status: 'succeeded' });

  await emulator.whenDelivered();
  expect(receiver.accepted().map((e) => e.type)).toEqual([
    'checkout.session.completed',
    'payment_intent.succeeded',
    'payment_intent.payment_failed',
    'payment_intent.succeeded',
  ]);
});

test('an Idempotency-Key replays the first answer and refuses other parameters', async () => {
  const first = await stripe.customers.create({ email: 'a@team.test' }, { idempotencyKey: 'k-1' });
  const again = await stripe.customers.create({ email: 'a@team.test' }, { idempotencyKey: 'k-1' });
  expect(again.id).toBe(first.id);
  expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
  await expect(
    stripe.customers.create({ email: 'b@team.test' }, { idempotencyKey: 'k-1' }),
  ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  const events = await stripe.events.list();
  expect(events.data).toEqual([]);
});

test('refuses keys that are not test secret keys, unknown parameters and unknown objects', async () => {
  const live = new Stripe('sk_live_nope', { ...emulator.sdkOptions(), maxNetworkRetries: 0 });
  await expect(live.customers.create({})).rejects.toBeInstanceOf(
    Stripe.errors.StripeAuthenticationError,
  );
  await expect(
    stripe.checkout.sessions.create({ ...credits(), discounts: [{ coupon: 'x' }] }),
  ).rejects.toMatchObject({ statusCode: 400, param: 'discounts' });
  await expect(
    stripe.checkout.sessions.create({ ...credits(), success_url: 'javascript:alert(1)' }),
  ).rejects.toMatchObject({ statusCode: 400, param: 'success_url' });
  await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({
    statusCode: 404,
    code: 'resource_missing',
  });
});

test('the checkout page is marked TEST MODE, escapes what it shows, and its buttons move the session', async () => {
  const session = await stripe.checkout.sessions.create(
    credits('<script>alert("x")</script> & co'),
  );
  const html = await (await fetch(session.url as string)).text();
  expect(html).toContain('TEST MODE — no real payment is taken');
  expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; co');
  expect(html).not.toContain('<script>');
  expect(html).toContain('10.00 USD');
  for (const label of ['Pay with test card', 'Pay with delayed method', 'Decline', 'Cancel']) {
    expect(html).toContain(label);
  }

  const press = (action: string, body = '') =>
    fetch(`${session.url}/${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  const declined = await press('decline');
  expect(declined.status).toBe(303);
  expect(declined.headers.get('location')).toBe(`/checkout/${session.id}?notice=declined`);
  const pending = await press('pay-async');
  expect(pending.headers.get('location')).toBe(`/checkout/${session.id}?notice=pending`);
  expect(await (await fetch(session.url as string)).text()).toContain(
    'Settle: the payment arrives',
  );
  const settled = await press('settle', 'outcome=succeeded');
  expect(settled.headers.get('location')).toBe(
    `http://app.test/billing/done?session=${session.id}`,
  );

  await emulator.whenDelivered();
  expect(receiver.accepted().map((e) => e.type)).toEqual([
    'payment_intent.payment_failed',
    'checkout.session.completed',
    'payment_intent.succeeded',
    'checkout.session.async_payment_succeeded',
  ]);
  const completed = JSON.parse(receiver.received[1].body).data.object;
  expect(completed).toMatchObject({ status: 'complete', payment_status: 'unpaid' });

  const setup = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    success_url: 'http://app.test/ok',
  });
  expect(await (await fetch(setup.url as string)).text()).toContain('Save test card');
});
