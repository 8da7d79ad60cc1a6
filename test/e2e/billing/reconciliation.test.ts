import { randomUUID } from 'node:crypto';
import {
  buyCredits,
  CREATE_CHECKOUT,
  PURCHASE,
  startBillingStack,
  type BillingStack,
} from '../../support/billing-stack.js';
import {
  adminGrant,
  grantsFor,
  RECONCILIATION_RUNS,
  RUN_RECONCILIATION,
  type FindingView,
  type RunView,
} from '../../support/billing-statements.js';
import { eventually } from '../../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const AUDIT = typed<
  {
    auditLog: {
      edges: Array<{
        node: { action: string; outcome: string; targetId: string; details: string };
      }>;
    };
  },
  { teamId: string }
>(`query Audit($teamId: ID!) {
  auditLog(teamId: $teamId, filter: { actions: ["RECONCILIATION_MISMATCH"] }, first: 50) {
    edges { node { action outcome targetId details } }
  }
}`);

const findingsOf = (run: RunView, paymentId: string) =>
  run.findings
    .filter((f) => f.paymentId === paymentId)
    .map(({ kind, repaired }: FindingView) => ({ kind, repaired }));

describe.each(STORE_MODES)('reconciliation (%s stores)', (mode) => {
  let billing: BillingStack;
  const admin = { token: TEST_ADMIN_KEY };
  const since = new Date(Date.now() - 3600_000).toISOString();
  const reconcile = async () =>
    expectNoErrors(
      await billing.stack.request(RUN_RECONCILIATION, { ...admin, variables: { since } }),
    ).runReconciliation;

  beforeAll(async () => {
    billing = await startBillingStack(mode, { settings: { reconcileIntervalMinutes: 0 } });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });

  it('finds each injected mismatch, repairs only the paid-but-not-granted ones, and only once', async () => {
    const { teamId, token } = await billing.createTeam('Reconciled');
    const clean = await buyCredits(billing, { teamId, amountMinor: 1000, token });
    const twice = await buyCredits(billing, { teamId, amountMinor: 1100, token });
    const refunded = await buyCredits(billing, { teamId, amountMinor: 1200, token });
    const customer = (await billing.stripe.paymentIntents.retrieve(clean.paymentId))
      .customer as string;

    // From here on the provider's events never reach the platform (as if lost).
    billing.emulator.setWebhookUrl(undefined);
    // A checkout paid whose webhook never came: the purchase stays OPEN, nothing granted.
    const { createCheckout } = expectNoErrors(
      await billing.stack.request(CREATE_CHECKOUT, {
        token,
        variables: { input: { teamId, amountMinor: 1300, idempotencyKey: `lost-${randomUUID()}` } },
      }),
    );
    const session = billing.emulator.completeCheckout(createCheckout.id, { outcome: 'paid' });
    const lostPayment = session.payment_intent as string;
    // A payment billing never recorded at all, for the team's customer.
    const unknown = billing.emulator.createPaidPaymentWithoutEvent({
      amount: 1400,
      currency: 'usd',
      customer,
    });
    // A payment granted at another amount than it buys ($15 buys 15 credits; 9 granted).
    const differs = billing.emulator.createPaidPaymentWithoutEvent({
      amount: 1500,
      currency: 'usd',
      metadata: { teamId },
    });
    await adminGrant(billing.stack, {
      teamId,
      amount: 9_000_000n,
      key: `differs-${differs.id}`,
      paymentId: differs.id,
    });
    // One payment granted a second time under another key.
    await adminGrant(billing.stack, {
      teamId,
      amount: twice.credits,
      key: `again-${twice.paymentId}`,
      paymentId: twice.paymentId,
      purchaseId: twice.purchaseId,
    });
    // A refund at the provider that billing never heard of.
    await billing.stripe.refunds.create({ payment_intent: refunded.paymentId, amount: 500 });
    billing.emulator.setWebhookUrl(`${billing.stack.gatewayBase}/webhooks/stripe`);

    const run = await reconcile();
    expect(run.finishedAt).not.toBeNull();
    expect(run.paymentsChecked).toBeGreaterThanOrEqual(6);
    expect(findingsOf(run, clean.paymentId)).toEqual([]);
    expect(findingsOf(run, lostPayment)).toEqual([{ kind: 'PAID_NOT_GRANTED', repaired: true }]);
    expect(findingsOf(run, unknown.id)).toEqual([{ kind: 'PAID_NOT_GRANTED', repaired: true }]);
    expect(findingsOf(run, differs.id)).toEqual([{ kind: 'AMOUNT_DIFFERS', repaired: false }]);
    expect(findingsOf(run, twice.paymentId)).toEqual([{ kind: 'GRANTED_TWICE', repaired: false }]);
    expect(findingsOf(run, refunded.paymentId)).toEqual([
      { kind: 'REFUNDED_NOT_DEBITED', repaired: false },
    ]);
    const byPayment = (id: string) => run.findings.find((f) => f.paymentId === id)!;
    expect(byPayment(differs.id)).toMatchObject({
      teamId,
      expectedCredits: '15000000',
      actualCredits: '9000000',
    });
    expect(byPayment(twice.paymentId)).toMatchObject({
      purchaseId: twice.purchaseId,
      expectedCredits: '11000000',
      actualCredits: '22000000',
    });
    expect(byPayment(refunded.paymentId)).toMatchObject({
      expectedCredits: '5000000',
      actualCredits: '0',
    });

    // The lost checkout's own purchase was granted what its payment buys.
    expect(byPayment(lostPayment).purchaseId).toBe(createCheckout.purchase.id);
    const lost = expectNoErrors(
      await billing.stack.request(PURCHASE, {
        token,
        variables: { id: createCheckout.purchase.id },
      }),
    ).purchase;
    expect(lost).toMatchObject({
      kind: 'CHECKOUT',
      status: 'PAID',
      paymentId: lostPayment,
      credits: '13000000',
    });
    // The unknown payment became a RECOVERED purchase of the customer's team.
    const recovered = expectNoErrors(
      await billing.stack.request(PURCHASE, {
        token,
        variables: { id: byPayment(unknown.id).purchaseId! },
      }),
    ).purchase;
    expect(recovered).toMatchObject({
      teamId,
      kind: 'RECOVERED',
      status: 'PAID',
      paymentId: unknown.id,
      paidAmountMinor: 1400,
      credits: '14000000',
    });

    // A second run repairs nothing again; what is not repaired is reported again.
    const second = await reconcile();
    expect(second.id).not.toBe(run.id);
    expect(findingsOf(second, lostPayment)).toEqual([]);
    expect(findingsOf(second, unknown.id)).toEqual([]);
    expect(second.findings.filter((f) => f.repaired)).toEqual([]);
    expect(findingsOf(second, twice.paymentId)).toEqual([
      { kind: 'GRANTED_TWICE', repaired: false },
    ]);

    // The lost webhook arriving late grants nothing more: one grant per repaired payment.
    const completed = billing.emulator
      .events()
      .find(
        (e) =>
          e.type === 'checkout.session.completed' &&
          (e.data.object as { id: string }).id === createCheckout.id,
      )!;
    billing.emulator.redeliver(completed.id);
    await eventually(
      'the late webhook is delivered',
      () =>
        billing.emulator.deliveries.some((d) => d.eventId === completed.id && d.status === 200)
          ? true
          : undefined,
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    const grants = await grantsFor(billing.stack, [lostPayment, unknown.id]);
    expect(grants.map((g) => [g.paymentId, g.amount]).sort()).toEqual(
      [
        [lostPayment, '13000000'],
        [unknown.id, '14000000'],
      ].sort(),
    );

    // Both runs are listed, newest first, and each finding is in the team's audit log.
    const { reconciliationRuns } = expectNoErrors(
      await billing.stack.request(RECONCILIATION_RUNS, { ...admin, variables: { first: 2 } }),
    );
    expect(reconciliationRuns.map((r) => r.id)).toEqual([second.id, run.id]);
    const audit = expectNoErrors(
      await billing.stack.request(AUDIT, { ...admin, variables: { teamId } }),
    ).auditLog.edges.map((e) => e.node);
    expect(audit.filter((e) => e.targetId === lostPayment)).toEqual([
      expect.objectContaining({ action: 'RECONCILIATION_MISMATCH', outcome: 'SUCCEEDED' }),
    ]);
    expect(audit.filter((e) => e.targetId === twice.paymentId)).toHaveLength(2);

    // And counted by kind in billing's metrics.
    const metrics = await (
      await fetch(new URL('/metrics', billing.stack.subgraphUrls.billing))
    ).text();
    expect(metrics).toMatch(
      /modelgraph_billing_reconciliation_findings_total\{[^}]*kind="GRANTED_TWICE"[^}]*\} 2/,
    );
    expect(metrics).toMatch(
      /modelgraph_billing_reconciliation_findings_total\{[^}]*kind="PAID_NOT_GRANTED",repaired="true"[^}]*\} 2/,
    );
  });

  it('pages through every payment the provider lists, and leaves one with no team unrepaired', async () => {
    // More than one page of the list (100 a page): payments no team can be found for.
    const orphans = Array.from(
      { length: 130 },
      () => billing.emulator.createPaidPaymentWithoutEvent({ amount: 600, currency: 'usd' }).id,
    );
    const run = await reconcile();
    expect(run.paymentsChecked).toBeGreaterThanOrEqual(130);
    const found = run.findings.filter((f) => orphans.includes(f.paymentId));
    expect(found).toHaveLength(130);
    for (const finding of found) {
      expect(finding).toMatchObject({
        kind: 'PAID_NOT_GRANTED',
        repaired: false,
        teamId: null,
        purchaseId: null,
        expectedCredits: '6000000',
        actualCredits: '0',
      });
      expect(finding.detail).toContain('No team');
    }
  });

  it('lets only organization admins run reconciliation or read its runs', async () => {
    const { token } = await billing.createTeam('Not admins', [
      'wallet:admin',
      'wallet:read',
      'policy:admin',
    ]);
    expectErrorCode(
      await billing.stack.request(RUN_RECONCILIATION, { token, variables: {} }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await billing.stack.request(RECONCILIATION_RUNS, { token, variables: {} }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await billing.stack.request(RUN_RECONCILIATION, {
        ...admin,
        variables: { since: '2999-01-01T00:00:00Z' },
      }),
      'BAD_USER_INPUT',
    );
    expectErrorCode(
      await billing.stack.request(RECONCILIATION_RUNS, { ...admin, variables: { first: 51 } }),
      'BAD_USER_INPUT',
    );
  });
  // Last: it closes the emulator.
  it('answers PAYMENT_PROVIDER_UNAVAILABLE when the provider cannot be listed, and ends the run', async () => {
    await billing.emulator.close();
    expectErrorCode(
      await billing.stack.request(RUN_RECONCILIATION, { ...admin, variables: { since } }),
      'PAYMENT_PROVIDER_UNAVAILABLE',
    );
    const [latest] = expectNoErrors(
      await billing.stack.request(RECONCILIATION_RUNS, { ...admin, variables: { first: 1 } }),
    ).reconciliationRuns;
    expect(latest).toMatchObject({ paymentsChecked: 0, findings: [] });
    expect(latest!.finishedAt).not.toBeNull();
  });
});
