import {
  buyCredits,
  CREATE_CHECKOUT,
  PURCHASE,
  purchaseWhen,
  startBillingStack,
  startCheckout,
  type BillingStack,
  type CheckoutInput,
} from '../../support/billing-stack.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const WALLET = typed<
  {
    team: {
      wallet: {
        balance: { posted: string; available: string };
        transactions: {
          edges: Array<{ node: { kind: string; amount: string; paymentId: string | null } }>;
        };
      };
    };
  },
  { id: string }
>(`query Wallet($id: ID!) { team(id: $id) { wallet {
  balance { posted available }
  transactions(first: 10) { edges { node { kind amount paymentId } } }
} } }`);

const PURCHASES = typed<
  {
    team: {
      purchases: {
        totalCount: number;
        edges: Array<{ node: { id: string; status: string; requestedAmountMinor: number } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  },
  { id: string; first: number; after?: string | null; status?: string }
>(`query Purchases($id: ID!, $first: Int, $after: String, $status: PurchaseStatus) {
  team(id: $id) { purchases(first: $first, after: $after, status: $status) {
    totalCount edges { node { id status requestedAmountMinor } }
    pageInfo { hasNextPage endCursor }
  } } }`);

const PRICES = typed<{
  creditPrices: {
    currency: string;
    minorUnitDigits: number;
    creditsPerMinorUnit: string;
    minimumAmountMinor: number;
    maximumAmountMinor: number;
    packs: Array<{ id: string; amountMinor: number; credits: string }>;
    testMode: boolean;
  };
}>(`{ creditPrices { currency minorUnitDigits creditsPerMinorUnit minimumAmountMinor
  maximumAmountMinor packs { id amountMinor credits } testMode } }`);

describe.each(STORE_MODES)('buying credits at a checkout (%s stores)', (mode) => {
  let billing: BillingStack;
  let providerProxy: TcpProxy;

  beforeAll(async () => {
    billing = await startBillingStack(mode, {
      // Billing reaches the provider through a proxy a test cuts.
      providerUrl: async (url) => {
        const { hostname, port } = new URL(url);
        providerProxy = await startTcpProxy({ host: hostname, port: Number(port) });
        return providerProxy.urlFor(url);
      },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
    await providerProxy?.close();
  });
  const create = (token: string, input: CheckoutInput) =>
    billing.stack.request(CREATE_CHECKOUT, { token, variables: { input } });

  it('a paid checkout grants exactly the credits the confirmed amount buys, once', async () => {
    const { teamId, token } = await billing.createTeam('Buyer');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1234, token });

    // 1 credit per dollar (the default price): 1234 cents buy 12.34 credits = 12,340,000 µcr.
    expect(bought.credits).toBe(12_340_000n);
    const session = await billing.stripe.checkout.sessions.retrieve(bought.sessionId);
    expect(session).toMatchObject({
      mode: 'payment',
      amount_total: 1234,
      client_reference_id: bought.purchaseId,
      metadata: { purchaseId: bought.purchaseId, teamId },
      payment_intent: bought.paymentId,
    });
    const customer = await billing.stripe.customers.retrieve(session.customer as string);
    expect(customer).toMatchObject({ metadata: { teamId } });

    await billing.emulator.whenDelivered();
    const { wallet } = expectNoErrors(
      await billing.stack.request(WALLET, { token, variables: { id: teamId } }),
    ).team;
    expect(wallet.balance).toEqual({ posted: '12340000', available: '12340000' });
    expect(wallet.transactions.edges.map((e) => e.node)).toEqual([
      { kind: 'GRANT', amount: '12340000', paymentId: bought.paymentId },
    ]);
  });

  it("sends the payer back to the gateway's own return pages when no URLs are given", async () => {
    const { teamId, token } = await billing.createTeam('Returner');
    const checkout = await startCheckout(billing, { teamId, token, amountMinor: 1500 });
    const session = await billing.stripe.checkout.sessions.retrieve(checkout.id);
    for (const [url, heading] of [
      [session.success_url, 'Payment sent'],
      [session.cancel_url, 'Checkout left'],
    ] as const) {
      const { pathname, search } = new URL(url!);
      expect(search).toBe(`?purchase=${checkout.purchase!.id}`);
      const page = await fetch(`${billing.stack.gatewayBase}${pathname}${search}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain(`<h1>${heading}</h1>`);
      // Static: nothing of the query string (the purchase's id) is echoed back.
      expect(html).not.toContain(checkout.purchase!.id);
    }
  });

  it('the same idempotency key returns the same checkout', async () => {
    const { teamId, token } = await billing.createTeam('Retrier');
    const input = { teamId, amountMinor: 2000, idempotencyKey: 'same-key' };
    const first = expectNoErrors(
      await billing.stack.request(CREATE_CHECKOUT, { token, variables: { input } }),
    ).createCheckout;
    const again = expectNoErrors(
      await billing.stack.request(CREATE_CHECKOUT, { token, variables: { input } }),
    ).createCheckout;
    expect(again).toEqual(first);
    expect(first).toMatchObject({ testMode: true, purchase: { status: 'OPEN' } });
  });

  it('asks for an amount within the limits or a known pack, not both and not neither', async () => {
    const { teamId, token } = await billing.createTeam('Validated');
    const bad = [
      { teamId, idempotencyKey: 'k1' },
      { teamId, amountMinor: 1000, packId: 'starter', idempotencyKey: 'k2' },
      { teamId, amountMinor: 499, idempotencyKey: 'k3' },
      { teamId, amountMinor: 1_000_001, idempotencyKey: 'k4' },
      { teamId, packId: 'huge', idempotencyKey: 'k5' },
      { teamId, amountMinor: 1000, idempotencyKey: '' },
      { teamId, amountMinor: 1000, idempotencyKey: 'k6', urls: { successUrl: 'javascript:x' } },
      { teamId: 'not-a-uuid', amountMinor: 1000, idempotencyKey: 'k7' },
    ];
    for (const input of bad) {
      const response = await create(token, input);
      expectErrorCode(response, input.teamId === teamId ? 'BAD_USER_INPUT' : 'FORBIDDEN');
    }
    const { createCheckout } = expectNoErrors(
      await create(token, { teamId, packId: 'team', idempotencyKey: 'pack' }),
    );
    const purchase = expectNoErrors(
      await billing.stack.request(PURCHASE, {
        token,
        variables: { id: createCheckout.purchase.id },
      }),
    ).purchase;
    expect(purchase).toMatchObject({
      kind: 'CHECKOUT',
      status: 'OPEN',
      currency: 'usd',
      packId: 'team',
      requestedAmountMinor: 10000,
      paidAmountMinor: null,
    });
    const session = await billing.stripe.checkout.sessions.retrieve(createCheckout.id);
    expect(session.amount_total).toBe(10000);
    // Nothing the rejected requests asked for was written.
    const listed = expectNoErrors(
      await billing.stack.request(PURCHASES, { token, variables: { id: teamId, first: 10 } }),
    );
    expect(listed.team.purchases.totalCount).toBe(1);
  });

  it('the same key with another request is IDEMPOTENCY_CONFLICT', async () => {
    const { teamId, token } = await billing.createTeam('Conflicted');
    expectNoErrors(await create(token, { teamId, amountMinor: 1000, idempotencyKey: 'once' }));
    const error = expectErrorCode(
      await create(token, { teamId, amountMinor: 1001, idempotencyKey: 'once' }),
      'IDEMPOTENCY_CONFLICT',
    );
    expect(error.extensions?.purchaseId).toEqual(expect.any(String));
    // Another team may use the same key.
    const other = await billing.createTeam('Other keys');
    expectNoErrors(
      await create(other.token, {
        teamId: other.teamId,
        amountMinor: 1001,
        idempotencyKey: 'once',
      }),
    );
  });

  it('a provider outage is PAYMENT_PROVIDER_UNAVAILABLE, and the retry with the same key completes the same purchase', async () => {
    const { teamId, token } = await billing.createTeam('Outage');
    const input = { teamId, amountMinor: 1800, idempotencyKey: 'through-an-outage' };
    providerProxy.down();
    try {
      expectErrorCode(await create(token, input), 'PAYMENT_PROVIDER_UNAVAILABLE');
    } finally {
      providerProxy.up();
    }
    const { createCheckout } = expectNoErrors(await create(token, input));
    const listed = expectNoErrors(
      await billing.stack.request(PURCHASES, { token, variables: { id: teamId, first: 10 } }),
    ).team.purchases;
    expect(listed.edges.map((e) => e.node.id)).toEqual([createCheckout.purchase.id]);
    billing.emulator.completeCheckout(createCheckout.id, { outcome: 'paid' });
    const paid = await purchaseWhen(
      billing,
      createCheckout.purchase.id,
      token,
      (p) => p.status === 'PAID',
    );
    expect(paid.credits).toBe('18000000');
  });

  it("lists a team's purchases newest first, by page and by status", async () => {
    const { teamId, token } = await billing.createTeam('Lister');
    const paid = await buyCredits(billing, { teamId, amountMinor: 700, token });
    const open = [
      await startCheckout(billing, { teamId, token, amountMinor: 800 }),
      await startCheckout(billing, { teamId, token, amountMinor: 900 }),
    ];
    const page = (first: number, after?: string | null, status?: string) =>
      billing.stack
        .request(PURCHASES, { token, variables: { id: teamId, first, after, status } })
        .then((r) => expectNoErrors(r).team.purchases);
    const first = await page(2);
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e) => e.node.requestedAmountMinor)).toEqual([900, 800]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(2, first.pageInfo.endCursor);
    expect(second.edges.map((e) => e.node)).toEqual([
      { id: paid.purchaseId, status: 'PAID', requestedAmountMinor: 700 },
    ]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const opened = await page(10, null, 'OPEN');
    expect(opened.totalCount).toBe(2);
    expect(opened.edges.map((e) => e.node.id)).toEqual(open.reverse().map((c) => c.purchase.id));
  });

  it('a team admin cannot buy for another team or read its purchases', async () => {
    const a = await billing.createTeam('Team A');
    const b = await billing.createTeam('Team B');
    const bought = await buyCredits(billing, {
      teamId: b.teamId,
      amountMinor: 600,
      token: b.token,
    });

    expectErrorCode(
      await create(a.token, { teamId: b.teamId, amountMinor: 1000, idempotencyKey: 'steal' }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await billing.stack.request(PURCHASE, {
        token: a.token,
        variables: { id: bought.purchaseId },
      }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await billing.stack.request(PURCHASES, {
        token: a.token,
        variables: { id: b.teamId, first: 5 },
      }),
      'FORBIDDEN',
    );
    // A reader of the team sees its purchases but cannot buy.
    const reader = await billing.createTeam('Reader', ['wallet:read']);
    expectErrorCode(
      await create(reader.token, {
        teamId: reader.teamId,
        amountMinor: 1000,
        idempotencyKey: 'no-admin',
      }),
      'FORBIDDEN',
    );
    // Provider events are for organization admins only.
    const events = `{ paymentEvents(first: 5) { edges { node { id } } } }`;
    expectErrorCode(await billing.stack.request(events, { token: b.token }), 'FORBIDDEN');
    const adminView = expectNoErrors(
      await billing.stack.request<{ paymentEvents: { edges: unknown[] } }>(events, {
        token: TEST_ADMIN_KEY,
      }),
    );
    expect(adminView.paymentEvents.edges.length).toBeGreaterThan(0);
  });

  it('shows the price list, its packs priced in credits, to anyone signed in', async () => {
    const { token } = await billing.createTeam('Shopper', ['models:read']);
    const { creditPrices } = expectNoErrors(await billing.stack.request(PRICES, { token }));
    expect(creditPrices).toEqual({
      currency: 'usd',
      minorUnitDigits: 2,
      creditsPerMinorUnit: '10000',
      minimumAmountMinor: 500,
      maximumAmountMinor: 1_000_000,
      packs: [
        { id: 'starter', amountMinor: 1000, credits: '10000000' },
        { id: 'team', amountMinor: 10000, credits: '100000000' },
        { id: 'scale', amountMinor: 100000, credits: '1000000000' },
      ],
      testMode: true,
    });
    expectErrorCode(await billing.stack.request(PRICES, {}), 'UNAUTHENTICATED');
  });
});
