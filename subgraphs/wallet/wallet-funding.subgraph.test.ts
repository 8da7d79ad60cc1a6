import { randomUUID } from 'node:crypto';
import type { Principal } from '../../lib/auth/principal.js';
import { errorsOf, onlyError } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamUser } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';
import { startWallet, type RunningWallet } from '../../test/support/wallet-subgraph.js';

const service = (name: string, scope: 'wallet:fund' | 'wallet:hold'): Principal => ({
  id: `service:${name}`,
  kind: 'SERVICE',
  orgId: 'default',
  roles: [],
  scopes: [scope],
  teams: [],
});
const billing = service('billing', 'wallet:fund');
const inference = service('inference', 'wallet:hold');

type Vars = Record<string, unknown>;
interface FundingOperation {
  query: string;
  vars: () => Vars | Promise<Vars>;
}

/** The wallet's funding face, through the built subgraph under shield, in both store modes. */
describe.each(STORE_MODES)('the wallet funding operations (%s stores)', (mode) => {
  let wallet: RunningWallet;
  const team = randomUUID();
  const teamAdmin = teamUser(team, 'ADMIN');
  const as = (principal: Principal) => wallet.subgraph.as(principal);
  const key = () => randomUUID();
  const disputeHold = async () =>
    (
      await wallet.ledger.authorizeHold({
        walletId: team,
        amount: 10n,
        idempotencyKey: key(),
        expiresInSeconds: 86_400,
        metadata: { purpose: 'DISPUTE' },
        actor: 'test',
      })
    ).id;

  beforeAll(async () => {
    wallet = await startWallet(mode);
    await wallet.ledger.grant({
      walletId: team,
      amount: 1_000_000n,
      idempotencyKey: 'g',
      actor: 't',
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await wallet?.stop();
  });

  const OPERATIONS: Record<string, FundingOperation> = {
    grantCredits: {
      query: `mutation($w: ID!, $k: String!) { grantCredits(walletId: $w, amount: "5",
        idempotencyKey: $k, metadata: { paymentId: "pi_m", source: "checkout" }) { id } }`,
      vars: () => ({ w: team, k: key() }),
    },
    grantCreditsBatch: {
      query: `mutation($w: ID!, $k: String!) { grantCreditsBatch(grants: [{ walletId: $w,
        amount: "5", idempotencyKey: $k }]) { id } }`,
      vars: () => ({ w: team, k: key() }),
    },
    debitCredits: {
      query: `mutation($w: ID!, $k: String!) { debitCredits(walletId: $w, amount: "1",
        idempotencyKey: $k) { debitedAmount } }`,
      vars: () => ({ w: team, k: key() }),
    },
    setWalletSuspended: {
      query: `mutation($w: ID!) { setWalletSuspended(walletId: $w, suspended: false) { suspended } }`,
      vars: () => ({ w: team }),
    },
    setLowBalanceThreshold: {
      query: `mutation($w: ID!) { setLowBalanceThreshold(walletId: $w, threshold: null) { id } }`,
      vars: () => ({ w: team }),
    },
    grantsForPayments: {
      query: `{ grantsForPayments(paymentIds: ["pi_m"]) { id } }`,
      vars: () => ({}),
    },
    balanceCrossings: {
      query: `{ balanceCrossings(first: 1) { totalCount } }`,
      vars: () => ({}),
    },
    'authorizeHold DISPUTE': {
      query: `mutation($w: ID!, $k: String!) { authorizeHold(walletId: $w, amount: "3",
        idempotencyKey: $k, expiresInSeconds: 8640000, metadata: { purpose: DISPUTE }) { id } }`,
      vars: () => ({ w: team, k: key() }),
    },
    'voidHold DISPUTE': {
      query: `mutation($h: ID!) { voidHold(holdId: $h) { status } }`,
      vars: async () => ({ h: await disputeHold() }),
    },
    'authorizeHold CALL': {
      query: `mutation($w: ID!, $k: String!) { authorizeHold(walletId: $w, amount: "3",
        idempotencyKey: $k, expiresInSeconds: 60) { id } }`,
      vars: () => ({ w: team, k: key() }),
    },
    'wallet(id)': {
      query: `query($w: ID!) { wallet(id: $w) { balance { available } suspended } }`,
      vars: () => ({ w: team }),
    },
    walletStatement: {
      query: `query($w: ID!) { walletStatement(walletId: $w, from: "2020-01-01T00:00:00Z",
        to: "2100-01-01T00:00:00Z") { granted } }`,
      vars: () => ({ w: team }),
    },
  };

  const O = 'OK';
  const F = 'FORBIDDEN';
  // prettier-ignore
  const EXPECTED: Record<string, [billing: string, orgAdmin: string, teamAdmin: string, inference: string]> = {
    grantCredits:             [O, O, F, F],
    grantCreditsBatch:        [O, O, F, F],
    debitCredits:             [O, O, F, F],
    setWalletSuspended:       [O, O, F, F],
    setLowBalanceThreshold:   [O, O, F, F],
    grantsForPayments:        [O, O, F, F],
    balanceCrossings:         [O, O, F, F],
    'authorizeHold DISPUTE':  [O, O, F, F],
    'voidHold DISPUTE':       [O, O, F, F],
    'authorizeHold CALL':     [F, O, F, O],
    'wallet(id)':             [O, O, O, F],
    walletStatement:          [O, O, O, F],
  };
  const PRINCIPALS: Array<[string, () => Principal]> = [
    ['billing (wallet:fund)', () => billing],
    ['org admin', orgAdmin],
    ['team admin', () => teamAdmin],
    ['inference (wallet:hold)', () => inference],
  ];
  const CELLS = Object.entries(EXPECTED).flatMap(([operation, row]) =>
    PRINCIPALS.map(([who, principal], i) => ({ operation, who, principal, expected: row[i] })),
  );

  it.each(CELLS)('$who × $operation → $expected', async ({ operation, principal, expected }) => {
    const op = OPERATIONS[operation]!;
    const response = await as(principal())(op.query, { variables: await op.vars() });
    if (expected === O) expectNoErrors(response);
    else expect(onlyError(response)).toEqual({ code: expected });
  });

  it('grants a batch in order: a payment named twice once, a refused one null with its own error', async () => {
    const other = randomUUID();
    await wallet.ledger.grant({ walletId: other, amount: 9n, idempotencyKey: 'pi_b0', actor: 't' });
    const grants = [
      { walletId: other, amount: '10', idempotencyKey: 'pi_b1', metadata: { paymentId: 'pi_b1' } },
      { walletId: other, amount: '99', idempotencyKey: 'pi_b0' }, // the key stands for 9
      { walletId: other, amount: '10', idempotencyKey: 'pi_b1', metadata: { paymentId: 'pi_b1' } },
      { walletId: 'not-a-uuid', amount: '1', idempotencyKey: 'pi_b2' },
    ];
    const response = await as(billing)<{
      grantCreditsBatch: Array<{ id: string; amount: string } | null>;
    }>(`mutation($g: [GrantCreditsInput!]!) { grantCreditsBatch(grants: $g) { id amount } }`, {
      variables: { g: grants },
    });
    const answers = response.body.data!.grantCreditsBatch;
    expect(answers.map((a) => a?.amount ?? null)).toEqual(['10', null, '10', null]);
    expect(answers[0]!.id).toBe(answers[2]!.id);
    // Errors come in the order the grants were answered, so sort them by their place.
    const byPlace = errorsOf(response).sort((a, b) => Number(a.path![1]) - Number(b.path![1]));
    expect(byPlace).toEqual([
      { code: 'IDEMPOTENCY_CONFLICT', path: ['grantCreditsBatch', 1] },
      { code: 'BAD_USER_INPUT', path: ['grantCreditsBatch', 3], field: 'walletId' },
    ]);
    const [balance] = await wallet.ledger.reads.balances([other]);
    expect(balance!.posted).toBe(19n);
    const tooMany = await as(billing)(
      `mutation($g: [GrantCreditsInput!]!) { grantCreditsBatch(grants: $g) { id } }`,
      { variables: { g: [] } },
    );
    expect(onlyError(tooMany)).toEqual({ code: 'BAD_USER_INPUT', field: 'grants' });
  });

  it('a dispute hold cannot be voided by inference, nor a call hold by billing', async () => {
    const dispute = await disputeHold();
    const call = await wallet.ledger.authorizeHold({
      walletId: team,
      amount: 1n,
      idempotencyKey: key(),
      expiresInSeconds: 60,
      actor: 'test',
    });
    const VOID = `mutation($h: ID!) { voidHold(holdId: $h) { status } }`;
    expect(onlyError(await as(inference)(VOID, { variables: { h: dispute } }))).toEqual({
      code: F,
    });
    expect(onlyError(await as(billing)(VOID, { variables: { h: call.id } }))).toEqual({ code: F });
    const statuses = (await wallet.ledger.reads.holdsByIds([dispute, call.id])).map(
      (h) => h.status,
    );
    expect(statuses).toEqual(['PENDING', 'PENDING']);
  });

  it('billing debits against a dispute hold and reads what it did', async () => {
    const holdId = await disputeHold();
    const response = await as(billing)<{
      debitCredits: {
        debitedAmount: string;
        owedAmount: string;
        releasedAmount: string;
        transaction: Record<string, unknown>;
      };
    }>(
      `mutation($w: ID!, $h: ID!) { debitCredits(walletId: $w, amount: "10", idempotencyKey: "lost",
        holdId: $h, metadata: { paymentId: "pi_d", purchaseId: "p-9", source: "dispute" }) {
        debitedAmount owedAmount releasedAmount
        transaction { kind amount postedChange relatedId paymentId purchaseId source wallet { id } }
      } }`,
      { variables: { w: team, h: holdId } },
    );
    expect(expectNoErrors(response).debitCredits).toEqual({
      debitedAmount: '10',
      owedAmount: '0',
      releasedAmount: '10',
      transaction: {
        kind: 'DEBIT',
        amount: '10',
        postedChange: '-10',
        relatedId: holdId,
        paymentId: 'pi_d',
        purchaseId: 'p-9',
        source: 'dispute',
        wallet: { id: team },
      },
    });
  });

  it('suspends a wallet and reads the suspension and the threshold back', async () => {
    const other = randomUUID();
    const response = await as(billing)<{
      setWalletSuspended: { suspended: boolean; suspendedReason: string | null };
      setLowBalanceThreshold: { lowBalanceThreshold: string | null };
    }>(
      `mutation($w: ID!) {
        setWalletSuspended(walletId: $w, suspended: true, reason: "chargeback") {
          suspended suspendedReason }
        setLowBalanceThreshold(walletId: $w, threshold: "5000000") { lowBalanceThreshold } }`,
      { variables: { w: other } },
    );
    expect(expectNoErrors(response)).toEqual({
      setWalletSuspended: { suspended: true, suspendedReason: 'chargeback' },
      setLowBalanceThreshold: { lowBalanceThreshold: '5000000' },
    });
    const refused = await as(inference)(
      `mutation($w: ID!) { authorizeHold(walletId: $w, amount: "1", idempotencyKey: "x",
        expiresInSeconds: 60) { id } }`,
      { variables: { w: other } },
    );
    expect(refused.body.errors?.[0]?.extensions).toEqual({
      code: 'WALLET_SUSPENDED',
      reason: 'chargeback',
    });
  });
});
