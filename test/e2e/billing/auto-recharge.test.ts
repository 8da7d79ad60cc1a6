import {
  autoRechargeWhen,
  AUTO_RECHARGE,
  chargeConcurrently,
  CREATE_SETUP,
  readAutoRecharge,
  savePaymentMethod,
  SET_AUTO_RECHARGE,
  teamPurchases,
} from '../../support/auto-recharge.js';
import { buyCredits, startBillingStack, type BillingStack } from '../../support/billing-stack.js';
import { eventually } from '../../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const GRANTS = typed<
  {
    team: {
      wallet: {
        balance: { available: string };
        transactions: {
          edges: Array<{ node: { kind: string; amount: string; source: string | null } }>;
        };
      };
    };
  },
  { id: string }
>(`query Grants($id: ID!) { team(id: $id) { wallet { balance { available }
  transactions(first: 100, filter: { kinds: [GRANT] }) { edges { node { kind amount source } } } } } }`);

const AUDIT = typed<
  { auditLog: { edges: Array<{ node: { action: string; outcome: string; details: string } }> } },
  { teamId: string }
>(`query Audit($teamId: ID!) { auditLog(teamId: $teamId, first: 100,
  filter: { actions: ["RECHARGE_FAILED", "AUTO_RECHARGE_DISABLED"] }) {
  edges { node { action outcome details } } } }`);

/** 5 credits, in µcr: recharge below it. */
const THRESHOLD = '5000000';
/** Each recharge charges $10.00, buying 10 credits. */
const RECHARGE_MINOR = 1000;

describe.each(STORE_MODES)('auto-recharge (%s stores)', (mode) => {
  let billing: BillingStack;

  beforeAll(async () => {
    // The first retry waits 4 s so a busy machine still sees FAILING before the next attempt.
    billing = await startBillingStack(mode, {
      settings: { rechargePollMs: 50, rechargeRetryDelaysMs: [4000, 100], rechargeMaxFailures: 3 },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });

  /** A team with 10 credits bought at a checkout, a saved card, and auto-recharge on. */
  async function rechargingTeam(name: string) {
    const { teamId, token } = await billing.createTeam(name);
    await buyCredits(billing, { teamId, amountMinor: 1000, token });
    const setup = await savePaymentMethod(billing, teamId, token);
    const { setAutoRecharge } = expectNoErrors(
      await billing.stack.request(SET_AUTO_RECHARGE, {
        token,
        variables: {
          teamId,
          input: { enabled: true, thresholdCredits: THRESHOLD, amountMinor: RECHARGE_MINOR },
        },
      }),
    );
    expect(setAutoRecharge).toMatchObject({
      enabled: true,
      status: 'READY',
      thresholdCredits: THRESHOLD,
      amountMinor: RECHARGE_MINOR,
      credits: '10000000',
      hasPaymentMethod: true,
      consecutiveFailures: 0,
    });
    return { teamId, token, setup };
  }

  /** billing's recharges counter for `outcome`, from its /metrics. */
  async function rechargeMetric(outcome: string): Promise<number> {
    const url = billing.stack.subgraphUrls.billing!.replace('/graphql', '/metrics');
    const text = await (await fetch(url)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('modelgraph_billing_recharges_total{') && l.includes(`outcome="${outcome}"`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  }

  /** The PaymentIntents made for the team's AUTO_RECHARGE purchases. */
  async function rechargeIntents(teamId: string, token: string) {
    const recharges = (await teamPurchases(billing, teamId, token)).filter(
      (p) => p.kind === 'AUTO_RECHARGE',
    );
    const ids = new Set(recharges.map((p) => p.id));
    const intents = await billing.stripe.paymentIntents.list({ limit: 100 });
    return {
      recharges,
      intents: intents.data.filter((pi) => ids.has(pi.metadata.purchaseId ?? '')),
    };
  }

  it('saves a card through a setup checkout, never charging it', async () => {
    const { teamId, token, setup } = await rechargingTeam('Saver');
    expect(setup).toMatchObject({ purchase: null, testMode: true });
    const session = await billing.stripe.checkout.sessions.retrieve(setup.id);
    expect(session).toMatchObject({ mode: 'setup', metadata: { teamId } });
    const intent = await billing.stripe.setupIntents.retrieve(session.setup_intent as string);
    expect(intent.status).toBe('succeeded');
    // Only the checkout's own purchase: saving the card bought nothing.
    expect((await teamPurchases(billing, teamId, token)).map((p) => p.kind)).toEqual(['CHECKOUT']);
  });

  it('50 concurrent charges across the threshold make exactly one recharge and one grant', async () => {
    const { teamId, token } = await rechargingTeam('Spender');
    // 50 × 0.15 credits: 10 → 2.5 credits, crossing 5 once, whatever the order.
    await chargeConcurrently(billing, teamId, 50, 150_000n);

    const [paid] = await eventually(
      'the recharge is granted',
      async () => {
        const found = (await teamPurchases(billing, teamId, token)).filter(
          (p) => p.kind === 'AUTO_RECHARGE' && p.status === 'PAID',
        );
        return found.length ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(paid!.credits).toBe('10000000');
    await billing.emulator.whenDelivered();
    // More worker steps run: still one.
    await autoRechargeWhen(billing, teamId, token, (v) => v.lastRechargeAt !== null, 'recorded');
    const { recharges, intents } = await rechargeIntents(teamId, token);
    expect(recharges).toHaveLength(1);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({
      status: 'succeeded',
      amount: RECHARGE_MINOR,
      metadata: { purchaseId: paid!.id, teamId },
    });
    expect(intents[0]!.id).toBe(paid!.paymentId);

    const { wallet } = expectNoErrors(
      await billing.stack.request(GRANTS, { token, variables: { id: teamId } }),
    ).team;
    expect(wallet.transactions.edges.map((e) => e.node.source).sort()).toEqual([
      'AUTO_RECHARGE',
      'CHECKOUT',
    ]);
    expect(wallet.balance.available).toBe('12500000');
    expect(await readAutoRecharge(billing, teamId, token)).toMatchObject({
      enabled: true,
      status: 'READY',
      consecutiveFailures: 0,
    });
    expect(await rechargeMetric('SUCCEEDED')).toBeGreaterThanOrEqual(1);
  });

  it('a declined card is retried with backoff, then auto-recharge is turned off and the team told', async () => {
    const { teamId, token } = await rechargingTeam('Declined');
    billing.emulator.failNextPayments(3);
    await chargeConcurrently(billing, teamId, 10, 600_000n);

    const failing = await autoRechargeWhen(
      billing,
      teamId,
      token,
      (v) => v.status === 'FAILING',
      'the first attempt failed',
    );
    expect(failing).toMatchObject({ enabled: true, consecutiveFailures: 1 });
    expect(failing.lastError).toMatch(/declined/i);
    expect(Date.parse(failing.nextAttemptAt as string)).toBeGreaterThan(Date.now() - 1000);

    const disabled = await autoRechargeWhen(
      billing,
      teamId,
      token,
      (v) => v.status === 'DISABLED',
      'turned off after 3 failures',
    );
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 3, nextAttemptAt: null });

    const { recharges, intents } = await rechargeIntents(teamId, token);
    expect(recharges).toEqual([expect.objectContaining({ status: 'FAILED', credits: null })]);
    expect(intents).toHaveLength(3);
    expect(intents.every((pi) => pi.status === 'requires_payment_method')).toBe(true);

    const audit = await eventually(
      'the failures are in the audit log',
      async () => {
        const { auditLog } = expectNoErrors(
          await billing.stack.request(AUDIT, { token: TEST_ADMIN_KEY, variables: { teamId } }),
        );
        const events = auditLog.edges.map((e) => e.node);
        return events.length >= 4 ? events : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(audit.map((e) => [e.action, e.outcome]).sort()).toEqual([
      ['AUTO_RECHARGE_DISABLED', 'FAILED'],
      ['RECHARGE_FAILED', 'FAILED'],
      ['RECHARGE_FAILED', 'FAILED'],
      ['RECHARGE_FAILED', 'FAILED'],
    ]);
    const { wallet } = expectNoErrors(
      await billing.stack.request(GRANTS, { token, variables: { id: teamId } }),
    ).team;
    expect(wallet.transactions.edges.map((e) => e.node.source)).toEqual(['CHECKOUT']);
    expect(await rechargeMetric('FAILED')).toBeGreaterThanOrEqual(3);
    expect(await rechargeMetric('DISABLED')).toBeGreaterThanOrEqual(1);

    // Turned on again below the threshold (4 credits): no crossing can come, so it recharges at
    // once, and the card works now.
    const { setAutoRecharge: again } = expectNoErrors(
      await billing.stack.request(SET_AUTO_RECHARGE, {
        token,
        variables: {
          teamId,
          input: { enabled: true, thresholdCredits: THRESHOLD, amountMinor: RECHARGE_MINOR },
        },
      }),
    );
    expect(again).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    expect(['RECHARGING', 'READY']).toContain(again.status);
    await autoRechargeWhen(
      billing,
      teamId,
      token,
      (v) => v.status === 'READY' && v.lastRechargeAt !== null,
      'recharged after turning it on again',
    );
    const after = await rechargeIntents(teamId, token);
    expect(after.recharges.map((p) => p.status).sort()).toEqual(['FAILED', 'PAID']);
    expect(after.intents).toHaveLength(4);
  });

  it('refuses to turn on without a saved payment method, and bad settings', async () => {
    const { teamId, token } = await billing.createTeam('Cardless');
    const set = (input: { enabled: boolean; thresholdCredits: string; amountMinor: number }) =>
      billing.stack.request(SET_AUTO_RECHARGE, { token, variables: { teamId, input } });
    expectErrorCode(
      await set({ enabled: true, thresholdCredits: THRESHOLD, amountMinor: RECHARGE_MINOR }),
      'PAYMENT_METHOD_REQUIRED',
    );
    expect(await readAutoRecharge(billing, teamId, token)).toBeNull();
    expectErrorCode(
      await set({ enabled: false, thresholdCredits: '0', amountMinor: RECHARGE_MINOR }),
      'BAD_USER_INPUT',
    );
    expectErrorCode(
      await set({ enabled: false, thresholdCredits: THRESHOLD, amountMinor: 1 }),
      'BAD_USER_INPUT',
    );
    const off = expectNoErrors(
      await set({ enabled: false, thresholdCredits: THRESHOLD, amountMinor: RECHARGE_MINOR }),
    ).setAutoRecharge;
    expect(off).toMatchObject({ enabled: false, status: 'OFF', hasPaymentMethod: false });
  });

  it("team A's admin can neither set nor read team B's auto-recharge", async () => {
    const a = await billing.createTeam('Team A');
    const b = await billing.createTeam('Team B');
    const input = { enabled: false, thresholdCredits: THRESHOLD, amountMinor: RECHARGE_MINOR };
    expectNoErrors(
      await billing.stack.request(SET_AUTO_RECHARGE, {
        token: b.token,
        variables: { teamId: b.teamId, input },
      }),
    );
    expectErrorCode(
      await billing.stack.request(SET_AUTO_RECHARGE, {
        token: a.token,
        variables: { teamId: b.teamId, input },
      }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await billing.stack.request(CREATE_SETUP, {
        token: a.token,
        variables: { teamId: b.teamId },
      }),
      'FORBIDDEN',
    );
    const read = await billing.stack.request(AUTO_RECHARGE, {
      token: a.token,
      variables: { id: b.teamId },
    });
    expectErrorCode(read, 'FORBIDDEN');
    expect(read.body.data?.team?.autoRecharge ?? null).toBeNull();
  });
});
