import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed, type Operation } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

type Money = { w: string; a: string; k: string };
const GRANT = typed<{ grantCredits: unknown }, Money>(`mutation($w: ID!, $a: Micros!, $k: String!) {
  grantCredits(walletId: $w, amount: $a, idempotencyKey: $k, memo: "top-up") { id kind amount postedChange } }`);
const HOLD = typed<{ authorizeHold: { id: string; status: string; amount: string } }, Money>(
  `mutation($w: ID!, $a: Micros!, $k: String!) {
  authorizeHold(walletId: $w, amount: $a, idempotencyKey: $k, expiresInSeconds: 60,
    metadata: { modelId: "local/echo-chat", priceVersion: 1, requestId: "req-1" }) { id status amount } }`,
);
const CAPTURE = typed<{ captureHold: unknown }, { h: string; a: string; k: string }>(
  `mutation($h: ID!, $a: Micros!, $k: String!) {
  captureHold(holdId: $h, amount: $a, idempotencyKey: $k, usage: { inputTokens: 12, outputTokens: 30 }) {
    status capturedAmount } }`,
);
interface TransactionPage {
  totalCount: number;
  edges: Array<{ node: { kind: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe.each(STORE_MODES)('the wallet through the gateway (%s stores)', (mode) => {
  let stack: Stack;
  let teamId: string;
  let reader: string;
  const admin = <D, V>(operation: Operation<D, V>, variables: V) =>
    stack.request(operation, { token: TEST_ADMIN_KEY, variables });

  beforeAll(async () => {
    stack = await startStack({ mode });
    ({ teamId, key: reader } = await stack.createTeamWithKey('Ledgered', [
      'models:read',
      'wallet:read',
    ]));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('grants, holds and captures, and the team reads balance, entries, holds and usage by model', async () => {
    expectNoErrors(await admin(GRANT, { w: teamId, a: '5000000', k: 'grant-1' }));
    const hold = expectNoErrors(
      await admin(HOLD, { w: teamId, a: '2000', k: 'hold-1' }),
    ).authorizeHold;
    expect(hold).toMatchObject({ status: 'PENDING', amount: '2000' });
    const captured = expectNoErrors(await admin(CAPTURE, { h: hold.id, a: '1500', k: 'cap-1' }));
    expect(captured.captureHold).toEqual({ status: 'CAPTURED', capturedAmount: '1500' });

    const data = expectNoErrors(
      await stack.request<{
        team: {
          wallet: {
            balance: unknown;
            transactions: Omit<TransactionPage, 'edges'> & { edges: Array<{ node: unknown }> };
            holds: unknown;
            usageByModel: unknown;
          };
        };
      }>(
        `query($id: ID!, $from: DateTime!, $to: DateTime!) { team(id: $id) { wallet {
           balance { available held posted }
           transactions(first: 2) { totalCount edges { node { kind amount postedChange heldChange } }
             pageInfo { hasNextPage endCursor } }
           holds(status: CAPTURED) { status capturedAmount model { id displayName } priceVersion requestId }
           usageByModel(from: $from, to: $to) { model { id displayName } calls inputTokens outputTokens spend priceVersions }
         } } }`,
        {
          token: reader,
          variables: { id: teamId, from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
        },
      ),
    );
    const wallet = data.team.wallet;
    expect(wallet.balance).toEqual({ available: '4998500', held: '0', posted: '4998500' });
    expect(wallet.transactions.totalCount).toBe(3);
    expect(wallet.transactions.edges.map((e) => e.node)).toEqual([
      { kind: 'CAPTURE', amount: '1500', postedChange: '-1500', heldChange: '-2000' },
      { kind: 'HOLD', amount: '2000', postedChange: '0', heldChange: '2000' },
    ]);
    expect(wallet.transactions.pageInfo.hasNextPage).toBe(true);
    expect(wallet.holds).toEqual([
      {
        status: 'CAPTURED',
        capturedAmount: '1500',
        model: { id: 'local/echo-chat', displayName: 'Local echo chat' },
        priceVersion: 1,
        requestId: 'req-1',
      },
    ]);
    expect(wallet.usageByModel).toEqual([
      {
        model: { id: 'local/echo-chat', displayName: 'Local echo chat' },
        calls: 1,
        inputTokens: 12,
        outputTokens: 30,
        spend: '1500',
        priceVersions: [1],
      },
    ]);
  });

  it("answers myWallet with the key's own team's balance and last transactions", async () => {
    const { teamId: mine, key } = await stack.createTeamWithKey('Mine', ['wallet:read']);
    expectNoErrors(await admin(GRANT, { w: mine, a: '3000000', k: 'grant-mine' }));
    const response = await stack.request<{
      myWallet: {
        id: string;
        balance: { available: string };
        transactions: { edges: Array<{ node: { kind: string; amount: string } }> };
      };
    }>(
      `{ myWallet { id balance { available }
         transactions(first: 5) { edges { node { kind amount } } } } }`,
      { token: key },
    );
    expect(expectNoErrors(response).myWallet).toEqual({
      id: mine,
      balance: { available: '3000000' },
      transactions: { edges: [{ node: { kind: 'GRANT', amount: '3000000' } }] },
    });
    const adminHasNone = await stack.request<{ myWallet: { id: string } | null }>(
      '{ myWallet { id } }',
      { token: TEST_ADMIN_KEY },
    );
    expect(expectErrorCode(adminHasNone, 'BAD_USER_INPUT').extensions?.teamIds).toEqual([]);
  });

  it('refuses holds to a team key and grants to anyone but an admin', async () => {
    expectErrorCode(
      await stack.request(HOLD, { token: reader, variables: { w: teamId, a: '1', k: 'x' } }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await stack.request(GRANT, { token: reader, variables: { w: teamId, a: '1', k: 'x' } }),
      'FORBIDDEN',
    );
  });

  it('answers an unaffordable hold with INSUFFICIENT_FUNDS and the figures', async () => {
    const { teamId: poor } = await stack.createTeamWithKey('Poor', ['wallet:read']);
    expectNoErrors(await admin(GRANT, { w: poor, a: '100', k: 'g' }));
    const response = await admin(HOLD, { w: poor, a: '101', k: 'h' });
    expectErrorCode(response, 'INSUFFICIENT_FUNDS');
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      available: '100',
      required: '101',
    });
  });

  it('lets a team admin set a budget and shows month-to-date spend against it', async () => {
    const { teamId: budgeted, key } = await stack.createTeamWithKey('Budgeted', [
      'wallet:read',
      'wallet:admin',
    ]);
    expectNoErrors(await admin(GRANT, { w: budgeted, a: '1000', k: 'g' }));
    const set = await stack.request<{ setBudget: { budget: unknown } }>(
      `mutation($w: ID!) { setBudget(walletId: $w, input: { monthlyLimit: "500", alertThresholds: [80, 50] }) {
         budget { monthlyLimit alertThresholds monthToDateSpend remaining alertsReached } } }`,
      { token: key, variables: { w: budgeted } },
    );
    expect(expectNoErrors(set).setBudget.budget).toEqual({
      monthlyLimit: '500',
      alertThresholds: [50, 80],
      monthToDateSpend: '0',
      remaining: '500',
      alertsReached: [],
    });
    const hold = expectNoErrors(
      await admin(HOLD, { w: budgeted, a: '300', k: 'h1' }),
    ).authorizeHold;
    expectNoErrors(await admin(CAPTURE, { h: hold.id, a: '300', k: 'c1' }));
    const over = await admin(HOLD, { w: budgeted, a: '201', k: 'h2' });
    expectErrorCode(over, 'BUDGET_EXCEEDED');
    expect(over.body.errors?.[0]?.extensions).toMatchObject({
      monthToDateSpend: '300',
      available: '200',
      required: '201',
    });
    const budget = expectNoErrors(
      await stack.request<{ wallet: { budget: unknown } }>(
        `query($id: ID!) { wallet(id: $id) { budget { monthToDateSpend remaining alertsReached } } }`,
        {
          token: key,
          variables: { id: budgeted },
        },
      ),
    ).wallet.budget;
    expect(budget).toEqual({ monthToDateSpend: '300', remaining: '200', alertsReached: [50] });
  });

  it('filters ledger entries by kind and time and pages through them', async () => {
    const { teamId: paged, key } = await stack.createTeamWithKey('Paged', ['wallet:read']);
    for (const k of ['a', 'b', 'c']) expectNoErrors(await admin(GRANT, { w: paged, a: '10', k }));
    const hold = expectNoErrors(await admin(HOLD, { w: paged, a: '5', k: 'h' })).authorizeHold;
    expectNoErrors(
      await admin(typed('mutation($h: ID!) { voidHold(holdId: $h) { status } }'), { h: hold.id }),
    );
    const page = (after: string | null, filter: Record<string, unknown>) =>
      stack.request<{ wallet: { transactions: TransactionPage } }>(
        `query($id: ID!, $after: String, $filter: TransactionFilter) { wallet(id: $id) {
           transactions(first: 2, after: $after, filter: $filter) {
             totalCount edges { node { kind } } pageInfo { hasNextPage endCursor } } } }`,
        { token: key, variables: { id: paged, after, filter } },
      );
    const grants: string[] = [];
    let after: string | null = null;
    for (;;) {
      const t: TransactionPage = expectNoErrors(await page(after, { kinds: ['GRANT'] })).wallet
        .transactions;
      expect(t.totalCount).toBe(3);
      grants.push(...t.edges.map((e) => e.node.kind));
      if (!t.pageInfo.hasNextPage) break;
      after = t.pageInfo.endCursor;
    }
    expect(grants).toEqual(['GRANT', 'GRANT', 'GRANT']);
    const future = expectNoErrors(await page(null, { from: '2999-01-01T00:00:00Z' })).wallet
      .transactions;
    expect(future.totalCount).toBe(0);
    const all = expectNoErrors(await page(null, {})).wallet.transactions;
    expect(all.totalCount).toBe(5);
    expect(all.edges.map((e) => e.node.kind)).toEqual(['VOID', 'HOLD']);
    expectErrorCode(await page('bm9wZQ', {}), 'BAD_USER_INPUT');
  });
});
