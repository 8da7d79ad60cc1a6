import { signPayload } from '../../../subgraphs/billing/test-mode/stripe-emulator.js';
import {
  eventsAbout,
  purchaseWhen,
  recordedEvents,
  startBillingStack,
  startCheckout,
  walletOf,
  type BillingStack,
} from '../../support/billing-stack.js';
import { eventually } from '../../support/eventually.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { createRecordingLogger } from '../../support/recording-logger.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const GRANTED_AUDIT = typed<
  { auditLog: { edges: Array<{ node: { outcome: string; targetId: string } }> } },
  { teamId: string }
>(`query Granted($teamId: ID!) {
  auditLog(teamId: $teamId, filter: { actions: ["PURCHASE_GRANTED"] }, first: 10) {
    edges { node { outcome targetId } }
  }
}`);

const grantsOf = (wallet: Awaited<ReturnType<typeof walletOf>>) =>
  wallet.transactions.edges.map((e) => e.node).filter((n) => n.kind === 'GRANT');

describe.each(STORE_MODES)('the checkout webhooks (%s stores)', (mode) => {
  let billing: BillingStack;
  let walletProxy: TcpProxy;
  // Every line the platform logs in this suite, to show no secret is ever among them.
  const log = createRecordingLogger('trace');

  beforeAll(async () => {
    billing = await startBillingStack(mode, {
      stack: { logger: log.logger },
      // Billing reaches the wallet through a proxy a test cuts; the provider's retries come late
      // enough for the test to bring it back in between.
      walletUrl: async (url) => {
        const { hostname, port } = new URL(url);
        walletProxy = await startTcpProxy({ host: hostname, port: Number(port) });
        return walletProxy.urlFor(url);
      },
      emulator: { retryDelaysMs: [400, 800, 1600, 3200] },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
    await walletProxy?.close();
  });
  beforeEach(() => {
    billing.emulator.setDelivery({
      duplicates: 0,
      shuffle: false,
      holdBack: false,
      concurrency: 1,
      delayMs: 0,
    });
  });

  it('a paid session grants exactly once under 5 deliveries of each event in random order', async () => {
    const { teamId, token } = await billing.createTeam('Duplicated');
    billing.emulator.setDelivery({ duplicates: 4, shuffle: true, concurrency: 5 });
    const checkout = await startCheckout(billing, { teamId, token, amountMinor: 2500 });
    billing.emulator.completeCheckout(checkout.id, { outcome: 'paid' });
    await billing.emulator.whenDelivered();

    const [completed] = eventsAbout(billing, checkout.id);
    const attempts = billing.emulator.deliveries.filter((d) => d.eventId === completed!.id);
    expect(attempts.map((d) => d.status)).toEqual([200, 200, 200, 200, 200]);
    const purchase = await purchaseWhen(
      billing,
      checkout.purchase.id,
      token,
      (p) => p.status === 'PAID',
    );
    expect(purchase).toMatchObject({ paidAmountMinor: 2500, credits: '25000000' });
    const wallet = await walletOf(billing, teamId, token);
    expect(grantsOf(wallet)).toEqual([
      { kind: 'GRANT', amount: '25000000', paymentId: purchase.paymentId },
    ]);
    expect(wallet.balance.posted).toBe('25000000');
    const recorded = (await recordedEvents(billing)).find((e) => e.id === completed!.id);
    expect(recorded).toMatchObject({
      type: 'checkout.session.completed',
      outcome: 'HANDLED',
      deliveries: 5,
    });
    // The audit record is written in the background (decision 88), once for the one grant.
    const granted = await eventually(
      'the PURCHASE_GRANTED audit record',
      async () => {
        const { auditLog } = expectNoErrors(
          await billing.stack.request(GRANTED_AUDIT, {
            token: TEST_ADMIN_KEY,
            variables: { teamId },
          }),
        );
        return auditLog.edges.length > 0 ? auditLog.edges.map((e) => e.node) : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(granted).toEqual([{ outcome: 'SUCCEEDED', targetId: checkout.purchase.id }]);
  });

  it('a bad signature or a stale timestamp is refused with 400, and nothing is stored or granted', async () => {
    const { teamId, token } = await billing.createTeam('Forged');
    billing.emulator.setDelivery({ holdBack: true });
    const checkout = await startCheckout(billing, { teamId, token, amountMinor: 1000 });
    billing.emulator.completeCheckout(checkout.id, { outcome: 'paid' });
    const completed = eventsAbout(billing, checkout.id).find(
      (e) => e.type === 'checkout.session.completed',
    )!;
    const payload = JSON.stringify(completed);
    const now = Math.floor(Date.now() / 1000);
    const post = (signature: string | undefined) =>
      fetch(`${billing.stack.gatewayBase}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
        body: payload,
      });

    const refused = [
      await post(signPayload(payload, 'whsec_not_the_secret', now)),
      await post(signPayload(payload, billing.emulator.signingSecret, now - 301)),
      await post(undefined),
      await post(
        signPayload(`${payload} `, billing.emulator.signingSecret, now).replace(/v1=\w+/, 'v1=00'),
      ),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    expect((await recordedEvents(billing)).map((e) => e.id)).not.toContain(completed.id);
    const open = await purchaseWhen(billing, checkout.purchase.id, token, () => true);
    expect(open).toMatchObject({ status: 'OPEN', credits: null });
    expect(grantsOf(await walletOf(billing, teamId, token))).toEqual([]);

    // The same bytes signed correctly and fresh are taken.
    const taken = await post(signPayload(payload, billing.emulator.signingSecret, now));
    expect(taken.status).toBe(200);
    await purchaseWhen(billing, checkout.purchase.id, token, (p) => p.status === 'PAID');
    billing.emulator.flush();
    await billing.emulator.whenDelivered();
    expect(grantsOf(await walletOf(billing, teamId, token))).toHaveLength(1);
  });

  it('a delayed payment waits as PROCESSING and grants once when it succeeds, in any order', async () => {
    const { teamId, token } = await billing.createTeam('Delayed');
    const checkout = await startCheckout(billing, { teamId, token, amountMinor: 1500 });
    billing.emulator.completeCheckout(checkout.id, { outcome: 'async_pending' });
    const processing = await purchaseWhen(
      billing,
      checkout.purchase.id,
      token,
      (p) => p.status === 'PROCESSING',
    );
    expect(processing).toMatchObject({ credits: null, paymentId: expect.stringMatching(/^pi_/) });
    expect(grantsOf(await walletOf(billing, teamId, token))).toEqual([]);

    // The success and a resent completion arrive together, duplicated, in random order.
    billing.emulator.setDelivery({ holdBack: true, duplicates: 2, shuffle: true, concurrency: 3 });
    billing.emulator.settleAsyncPayment(checkout.id, 'succeeded');
    const completed = eventsAbout(billing, checkout.id)[0]!;
    billing.emulator.redeliver(completed.id);
    billing.emulator.flush();
    await billing.emulator.whenDelivered();

    const paid = await purchaseWhen(
      billing,
      checkout.purchase.id,
      token,
      (p) => p.status === 'PAID',
    );
    expect(paid).toMatchObject({ paidAmountMinor: 1500, credits: '15000000' });
    expect(grantsOf(await walletOf(billing, teamId, token))).toEqual([
      { kind: 'GRANT', amount: '15000000', paymentId: processing.paymentId },
    ]);
  });

  it('a failed delayed payment and an expired checkout grant nothing', async () => {
    const { teamId, token } = await billing.createTeam('Unpaid');
    const failing = await startCheckout(billing, { teamId, token, amountMinor: 1500 });
    billing.emulator.completeCheckout(failing.id, { outcome: 'async_pending' });
    billing.emulator.settleAsyncPayment(failing.id, 'failed');
    const expiring = await startCheckout(billing, { teamId, token, amountMinor: 1500 });
    await billing.stripe.checkout.sessions.expire(expiring.id);
    await billing.emulator.whenDelivered();

    await purchaseWhen(billing, failing.purchase.id, token, (p) => p.status === 'FAILED');
    await purchaseWhen(billing, expiring.purchase.id, token, (p) => p.status === 'EXPIRED');
    // A late, resent completion of the failed payment moves nothing back.
    billing.emulator.redeliver(eventsAbout(billing, failing.id)[0]!.id);
    await billing.emulator.whenDelivered();
    const failed = await purchaseWhen(billing, failing.purchase.id, token, () => true);
    expect(failed).toMatchObject({ status: 'FAILED', credits: null, paidAmountMinor: null });
    const wallet = await walletOf(billing, teamId, token);
    expect(wallet.transactions.edges).toEqual([]);
    expect(wallet.balance.posted).toBe('0');
  });

  it('while the wallet is down the webhook answers 503, and the provider retry grants once', async () => {
    const { teamId, token } = await billing.createTeam('Retried');
    const checkout = await startCheckout(billing, { teamId, token, amountMinor: 3000 });
    walletProxy.down();
    try {
      billing.emulator.completeCheckout(checkout.id, { outcome: 'paid' });
      const completed = eventsAbout(billing, checkout.id)[0]!;
      await eventually(
        'the first delivery failed',
        () =>
          billing.emulator.deliveries.find((d) => d.eventId === completed.id && d.status !== 200),
        { timeoutMs: 20_000, intervalMs: 20 },
      );
      const failedEvent = (await recordedEvents(billing)).find((e) => e.id === completed.id);
      expect(failedEvent).toMatchObject({ outcome: 'FAILED' });
    } finally {
      walletProxy.up();
    }
    await billing.emulator.whenDelivered();
    const completed = eventsAbout(billing, checkout.id)[0]!;
    const statuses = billing.emulator.deliveries
      .filter((d) => d.eventId === completed.id)
      .map((d) => d.status);
    expect(statuses[0]).toBe(503);
    expect(statuses[statuses.length - 1]).toBe(200);
    await purchaseWhen(billing, checkout.purchase.id, token, (p) => p.status === 'PAID');
    expect(grantsOf(await walletOf(billing, teamId, token))).toHaveLength(1);
    expect((await recordedEvents(billing)).find((e) => e.id === completed.id)).toMatchObject({
      outcome: 'HANDLED',
    });
  });

  // Last, so it reads the lines of every test above: refused signatures, a wallet outage, grants.
  it("logs the refused deliveries but never the provider's secret key or the webhook secret", () => {
    const text = log.lines.map((line) => JSON.stringify(line)).join('\n');
    expect(
      log.lines.filter((line) => line.msg === 'webhook delivery refused').length,
    ).toBeGreaterThan(0);
    expect(text).not.toContain('sk_test_billing_stack');
    expect(text).not.toContain(billing.emulator.signingSecret);
    expect(text).not.toContain(billing.emulator.signingSecret.replace(/^whsec_/, ''));
  });
});
