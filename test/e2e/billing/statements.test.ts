import { buyCredits, startBillingStack, type BillingStack } from '../../support/billing-stack.js';
import {
  adminDebit,
  adminGrant,
  chargeCall,
  currentAndPreviousMonth,
  fetchStatementCsv,
  STATEMENT,
  type StatementView,
} from '../../support/billing-statements.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

/** opening + in − out = closing, with what is owed on both sides. */
const balances = (s: StatementView) =>
  BigInt(s.openingBalance) -
    BigInt(s.owedAtOpen) +
    BigInt(s.purchasedCredits) +
    BigInt(s.grantedCredits) +
    BigInt(s.refundedUsageCredits) -
    BigInt(s.usageCredits) -
    BigInt(s.clawedBackCredits) ===
  BigInt(s.closingBalance) - BigInt(s.owedAtClose);

describe.each(STORE_MODES)('monthly statements (%s stores)', (mode) => {
  let billing: BillingStack;
  let team: { teamId: string; token: string };
  let other: { teamId: string; token: string };
  let purchase: { purchaseId: string; credits: bigint };
  const [month, previousMonth] = currentAndPreviousMonth();
  const statementOf = (teamId: string, m: string, token: string) =>
    billing.stack.request(STATEMENT, { token, variables: { teamId, month: m } });

  beforeAll(async () => {
    billing = await startBillingStack(mode, { settings: { reconcileIntervalMinutes: 0 } });
    team = await billing.createTeam('Statemented');
    other = await billing.createTeam('Other');
    // A month with a purchase ($25), a grant by an organization admin and two model calls.
    purchase = await buyCredits(billing, { ...team, amountMinor: 2500 });
    await adminGrant(billing.stack, { teamId: team.teamId, amount: 3_000_000n, key: 'gift' });
    await chargeCall(billing.stack, team.teamId, 1_500n, 'call-1');
    await chargeCall(billing.stack, team.teamId, 700n, 'call-2');
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });

  it('sums the month from the ledger: purchases, grants, usage by model, and it balances', async () => {
    const { team: read } = expectNoErrors(await statementOf(team.teamId, month, team.token));
    const statement = read!.statement;
    expect(purchase.credits).toBe(25_000_000n);
    expect(statement).toMatchObject({
      month,
      openingBalance: '0',
      purchases: [{ id: purchase.purchaseId, credits: '25000000', paidAmountMinor: 2500 }],
      purchasedCredits: '25000000',
      grantedCredits: '3000000',
      usageCredits: '2200',
      usageByModel: [{ modelId: 'local/echo-chat', credits: '2200', calls: 2 }],
      refundedUsageCredits: '0',
      clawedBackCredits: '0',
      closingBalance: String(28_000_000n - 2_200n),
      owedAtOpen: '0',
      owedAtClose: '0',
      csvUrl: `http://127.0.0.1:4000/billing/statements/${team.teamId}/${month}.csv`,
    });
    expect(balances(statement)).toBe(true);

    // The month before: nothing happened, and the closing balance is the next opening one.
    const before = expectNoErrors(await statementOf(team.teamId, previousMonth, team.token));
    expect(before.team!.statement).toMatchObject({
      openingBalance: '0',
      purchases: [],
      purchasedCredits: '0',
      usageCredits: '0',
      closingBalance: '0',
    });
  });

  it('still balances exactly when credits are taken back beyond the balance and owed', async () => {
    const owing = await billing.createTeam('Owing');
    await buyCredits(billing, { ...owing, amountMinor: 1000 });
    await chargeCall(billing.stack, owing.teamId, 9_500_000n, 'big-call');
    // 0.5 credits left: a 2-credit debit takes them and records 1.5 as owed.
    expect(await adminDebit(billing.stack, owing.teamId, 2_000_000n, 'claw')).toEqual({
      debitedAmount: '500000',
      owedAmount: '1500000',
    });
    const { team: read } = expectNoErrors(await statementOf(owing.teamId, month, owing.token));
    expect(read!.statement).toMatchObject({
      openingBalance: '0',
      purchasedCredits: '10000000',
      grantedCredits: '0',
      usageCredits: '9500000',
      clawedBackCredits: '2000000',
      closingBalance: '0',
      owedAtOpen: '0',
      owedAtClose: '1500000',
    });
    expect(balances(read!.statement)).toBe(true);
    expect(read!.statement.csv).toContain('\r\nfigure,owed_at_close,1500000,,,,\r\n');
  });

  it('downloads the same statement as CSV through the gateway', async () => {
    const { team: read } = expectNoErrors(await statementOf(team.teamId, month, team.token));
    const path = `/billing/statements/${team.teamId}/${month}.csv`;
    const response = await fetchStatementCsv(billing.stack, path, team.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="statement-${team.teamId}-${month}.csv"`,
    );
    const csv = await response.text();
    expect(csv).toBe(read!.statement.csv);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('line,id,credits,amount_minor,currency,calls,at');
    expect(lines).toEqual(
      expect.arrayContaining([
        `team,${team.teamId},,,,,`,
        'figure,opening_balance,0,,,,',
        'figure,purchased_credits,25000000,,,,',
        'figure,granted_credits,3000000,,,,',
        'figure,usage_credits,2200,,,,',
        `figure,closing_balance,${28_000_000 - 2_200},,,,`,
        expect.stringMatching(new RegExp(`^purchase,${purchase.purchaseId},25000000,2500,usd,,`)),
        'model,local/echo-chat,2200,,,2,',
      ]),
    );

    // An organization admin reads it too.
    const admin = await fetchStatementCsv(billing.stack, path, TEST_ADMIN_KEY);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toBe(csv);
  });

  it("refuses another team's statement, as GraphQL and as CSV", async () => {
    expectErrorCode(await statementOf(team.teamId, month, other.token), 'FORBIDDEN');
    const csv = await fetchStatementCsv(
      billing.stack,
      `/billing/statements/${team.teamId}/${month}.csv`,
      other.token,
    );
    expect(csv.status).toBe(403);
    expect(await csv.text()).not.toContain('figure');
    const anonymous = await fetchStatementCsv(
      billing.stack,
      `/billing/statements/${team.teamId}/${month}.csv`,
    );
    expect(anonymous.status).toBe(401);
  });

  it('refuses a malformed or future month with BAD_USER_INPUT, and 400 as CSV', async () => {
    for (const bad of ['2026-13', '26-01', '2999-01']) {
      expectErrorCode(await statementOf(team.teamId, bad, team.token), 'BAD_USER_INPUT');
    }
    for (const bad of ['2026-13', 'latest', '2999-01']) {
      const response = await fetchStatementCsv(
        billing.stack,
        `/billing/statements/${team.teamId}/${bad}.csv`,
        team.token,
      );
      expect(response.status).toBe(400);
      expect(
        ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!
          .extensions.code,
      ).toBe('BAD_USER_INPUT');
    }
  });
});
