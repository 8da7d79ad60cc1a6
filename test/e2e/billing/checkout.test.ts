import {
  buyCredits,
  CREATE_CHECKOUT,
  startBillingStack,
  type BillingStack,
} from '../../support/billing-stack.js';
import { expectNoErrors } from '../../support/graphql-client.js';
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

describe.each(STORE_MODES)('buying credits at a checkout (%s stores)', (mode) => {
  let billing: BillingStack;

  beforeAll(async () => {
    billing = await startBillingStack(mode);
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });

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
});
