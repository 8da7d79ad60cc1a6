import {
  failedEventsAfterDelivery,
  paymentEvents,
  PURCHASE_MONEY,
  purchaseMoney,
  purchaseMoneyWhen,
  refundAsAdmin,
  spendCredits,
  walletMoney,
} from '../../support/billing-purchases.js';
import {
  buyCredits,
  CREATE_CHECKOUT,
  startBillingStack,
  type BillingStack,
} from '../../support/billing-stack.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const debitsOf = (entries: Array<{ kind: string; amount: string }>) =>
  entries.filter((e) => e.kind === 'DEBIT').map((e) => e.amount);

describe.each(STORE_MODES)('refunding purchases (%s stores)', (mode) => {
  let billing: BillingStack;

  beforeAll(async () => {
    billing = await startBillingStack(mode);
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });
  afterEach(async () => {
    // Every refund event was acted on (or knowingly ignored), none left failing.
    expect(await failedEventsAfterDelivery(billing)).toEqual([]);
  });

  it("a full refund debits exactly the purchase's credits, once, though its events arrive too", async () => {
    const { teamId, token } = await billing.createTeam('Full refund');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });
    expect(bought.credits).toBe(10_000_000n);

    const refund = expectNoErrors(
      await refundAsAdmin(billing, {
        purchaseId: bought.purchaseId,
        idempotencyKey: 'full-1',
      }),
    ).refundPurchase;
    expect(refund).toMatchObject({
      purchaseId: bought.purchaseId,
      amountMinor: 1000,
      credits: '10000000',
      debitedCredits: '10000000',
      owedCredits: '0',
      status: 'SUCCEEDED',
      source: 'ADMIN',
    });

    // Our own refund's refund.created and charge.refunded events come back: no second debit.
    await billing.emulator.whenDelivered();
    const handled = (await paymentEvents(billing)).filter(
      (e) => e.outcome === 'HANDLED' && /refund re_\w+: SUCCEEDED/.test(e.detail ?? ''),
    );
    expect(handled.map((e) => e.type).sort()).toEqual(['charge.refunded', 'refund.created']);
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance).toEqual({ available: '0', held: '0', posted: '0', owed: '0' });
    expect(debitsOf(wallet.entries)).toEqual(['10000000']);
    const purchase = await purchaseMoney(billing, bought.purchaseId, token);
    expect(purchase).toMatchObject({
      refundedAmountMinor: 1000,
      clawedBackCredits: '10000000',
      owedCredits: '0',
    });
    expect(purchase.refunds).toEqual([refund]);

    // The same key again: the same refund; with another amount: a conflict.
    const again = await refundAsAdmin(billing, {
      purchaseId: bought.purchaseId,
      idempotencyKey: 'full-1',
    });
    expect(expectNoErrors(again).refundPurchase).toEqual(refund);
    expectErrorCode(
      await refundAsAdmin(billing, {
        purchaseId: bought.purchaseId,
        amountMinor: 10,
        idempotencyKey: 'full-1',
      }),
      'IDEMPOTENCY_CONFLICT',
    );
    // Nothing is left to refund.
    const more = expectErrorCode(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, amountMinor: 1 }),
      'BAD_USER_INPUT',
    );
    expect(more.extensions).toMatchObject({ refundableAmountMinor: 0 });
  });

  it('partial refunds debit proportionally and add up to the grant exactly', async () => {
    const { teamId, token } = await billing.createTeam('Partial refund');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });

    const first = expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, amountMinor: 333 }),
    ).refundPurchase;
    expect(first).toMatchObject({
      amountMinor: 333,
      credits: '3330000',
      debitedCredits: '3330000',
    });
    expect((await walletMoney(billing, teamId, token)).balance.posted).toBe('6670000');

    expectErrorCode(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, amountMinor: 668 }),
      'BAD_USER_INPUT',
    );
    // No amount: the rest.
    const second = expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId }),
    ).refundPurchase;
    expect(second).toMatchObject({ amountMinor: 667, credits: '6670000' });

    await billing.emulator.whenDelivered();
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance).toMatchObject({ posted: '0', owed: '0' });
    expect(debitsOf(wallet.entries).sort()).toEqual(['3330000', '6670000']);
    const purchase = await purchaseMoney(billing, bought.purchaseId, token);
    expect(purchase).toMatchObject({ refundedAmountMinor: 1000, clawedBackCredits: '10000000' });
    expect(purchase.refunds.map((r) => r.amountMinor)).toEqual([333, 667]);
  });

  it('a refund after spending takes what is left and records the rest as owed', async () => {
    const { teamId, token } = await billing.createTeam('Spent first');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });
    await spendCredits(billing, teamId, 7_000_000n);

    const refund = expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId }),
    ).refundPurchase;
    expect(refund).toMatchObject({
      credits: '10000000',
      debitedCredits: '3000000',
      owedCredits: '7000000',
      status: 'SUCCEEDED',
    });
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance).toEqual({ available: '0', held: '0', posted: '0', owed: '7000000' });
    expect(await purchaseMoney(billing, bought.purchaseId, token)).toMatchObject({
      clawedBackCredits: '3000000',
      owedCredits: '7000000',
    });
  });

  it('a refund made in the dashboard is recorded and debited once, even delivered twice', async () => {
    const { teamId, token } = await billing.createTeam('Dashboard refund');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });

    billing.emulator.setDelivery({ duplicates: 1 });
    try {
      billing.emulator.refundFromDashboard(bought.paymentId, 400);
      await billing.emulator.whenDelivered();
    } finally {
      billing.emulator.setDelivery({ duplicates: 0 });
    }
    const created = billing.emulator
      .events()
      .filter((e) => e.type === 'refund.created')
      .at(-1)!;
    billing.emulator.redeliver(created.id);
    await billing.emulator.whenDelivered();

    const purchase = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      token,
      (p) => p.refunds.some((r) => r.status === 'SUCCEEDED'),
      'the dashboard refund is settled',
    );
    expect(purchase.refunds).toEqual([
      expect.objectContaining({
        amountMinor: 400,
        credits: '4000000',
        debitedCredits: '4000000',
        owedCredits: '0',
        source: 'PROVIDER',
        status: 'SUCCEEDED',
      }),
    ]);
    expect(purchase).toMatchObject({ refundedAmountMinor: 400, clawedBackCredits: '4000000' });
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance.posted).toBe('6000000');
    expect(debitsOf(wallet.entries)).toEqual(['4000000']);

    // What the dashboard refunded is no longer ours to refund.
    const more = expectErrorCode(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, amountMinor: 601 }),
      'BAD_USER_INPUT',
    );
    expect(more.extensions).toMatchObject({ refundableAmountMinor: 600 });
  });

  it('only organization admins refund, and a team reads only its own refunds', async () => {
    const a = await billing.createTeam('Team A');
    const b = await billing.createTeam('Team B');
    const bought = await buyCredits(billing, {
      teamId: b.teamId,
      amountMinor: 1000,
      token: b.token,
    });
    expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, amountMinor: 100 }),
    );

    // Team B's own wallet admin is not an organization admin; team A's even less so.
    for (const token of [b.token, a.token]) {
      expectErrorCode(
        await refundAsAdmin(billing, { purchaseId: bought.purchaseId }, token),
        'FORBIDDEN',
      );
    }
    const read = await billing.stack.request(PURCHASE_MONEY, {
      token: a.token,
      variables: { id: bought.purchaseId },
    });
    expectErrorCode(read, 'FORBIDDEN');
    expect(JSON.stringify(read.body.data ?? null)).not.toContain('"refunds":[{');
    expect((await purchaseMoney(billing, bought.purchaseId, b.token)).refunds).toHaveLength(1);
    expect((await walletMoney(billing, b.teamId, b.token)).balance.posted).toBe('9000000');
  });

  it('refusing what is not a paid purchase', async () => {
    const unknown = await refundAsAdmin(billing, {
      purchaseId: '00000000-0000-4000-8000-000000000000',
    });
    expectErrorCode(unknown, 'NOT_FOUND');
    const { teamId, token } = await billing.createTeam('Unpaid');
    const open = expectNoErrors(
      await billing.stack.request(CREATE_CHECKOUT, {
        token,
        variables: { input: { teamId, amountMinor: 1000, idempotencyKey: 'unpaid' } },
      }),
    ).createCheckout;
    const refused = expectErrorCode(
      await refundAsAdmin(billing, { purchaseId: open.purchase.id }),
      'CONFLICT',
    );
    expect(refused.extensions).toMatchObject({ status: 'OPEN' });
  });
  it('concurrent refunds: one per key, and never more than was paid', async () => {
    const { teamId, token } = await billing.createTeam('Concurrent');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });

    const sameKey = await Promise.all(
      Array.from({ length: 5 }, () =>
        refundAsAdmin(billing, {
          purchaseId: bought.purchaseId,
          amountMinor: 100,
          idempotencyKey: 'same',
        }),
      ),
    );
    const ids = new Set(sameKey.map((r) => expectNoErrors(r).refundPurchase.id));
    expect(ids.size).toBe(1);

    const racing = await Promise.all(
      [1, 2, 3].map((n) =>
        refundAsAdmin(billing, {
          purchaseId: bought.purchaseId,
          amountMinor: 400,
          idempotencyKey: `k${n}`,
        }),
      ),
    );
    const codes = racing.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['BAD_USER_INPUT', 'OK', 'OK']);

    await billing.emulator.whenDelivered();
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance.posted).toBe('1000000');
    expect(debitsOf(wallet.entries).sort()).toEqual(['1000000', '4000000', '4000000']);
    expect(await purchaseMoney(billing, bought.purchaseId, token)).toMatchObject({
      refundedAmountMinor: 900,
      clawedBackCredits: '9000000',
    });
  });

  it("a refund event that beats its purchase's grant waits for it, then debits once", async () => {
    const { teamId, token } = await billing.createTeam('Early refund');
    const { createCheckout } = expectNoErrors(
      await billing.stack.request(CREATE_CHECKOUT, {
        token,
        variables: { input: { teamId, amountMinor: 1000, idempotencyKey: 'early' } },
      }),
    );
    const webhookUrl = `${billing.stack.gatewayBase}/webhooks/stripe`;
    billing.emulator.setWebhookUrl(undefined);
    try {
      billing.emulator.completeCheckout(createCheckout.id, { outcome: 'paid' });
      const session = await billing.stripe.checkout.sessions.retrieve(createCheckout.id);
      billing.emulator.refundFromDashboard(session.payment_intent as string, 250);
    } finally {
      billing.emulator.setWebhookUrl(webhookUrl);
    }
    const events = billing.emulator.events();
    const refundCreated = events.filter((e) => e.type === 'refund.created').at(-1)!;
    const completed = events.filter((e) => e.type === 'checkout.session.completed').at(-1)!;

    billing.emulator.redeliver(refundCreated.id);
    await billing.emulator.whenDelivered();
    const early = (await paymentEvents(billing)).find((e) => e.id === refundCreated.id);
    expect(early).toMatchObject({ outcome: 'FAILED' });
    expect(debitsOf((await walletMoney(billing, teamId, token)).entries)).toEqual([]);

    billing.emulator.redeliver(completed.id);
    await billing.emulator.whenDelivered();
    billing.emulator.redeliver(refundCreated.id);
    await billing.emulator.whenDelivered();

    const purchase = await purchaseMoney(billing, createCheckout.purchase.id, token);
    expect(purchase).toMatchObject({ status: 'PAID', refundedAmountMinor: 250 });
    expect(purchase.refunds).toEqual([
      expect.objectContaining({ source: 'PROVIDER', credits: '2500000', status: 'SUCCEEDED' }),
    ]);
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance.posted).toBe('7500000');
    expect(debitsOf(wallet.entries)).toEqual(['2500000']);
  });
});
