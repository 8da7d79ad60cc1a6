import {
  auditOf,
  refundAsAdmin,
  spendCredits,
  walletSuspended,
} from '../../support/billing-purchases.js';
import { buyCredits, startBillingStack, type BillingStack } from '../../support/billing-stack.js';
import { eventually } from '../../support/eventually.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

describe.each(STORE_MODES)('BILLING_SUSPEND_ON_OWED (%s stores)', (mode) => {
  let billing: BillingStack;

  beforeAll(async () => {
    billing = await startBillingStack(mode, { settings: { suspendOnOwed: true } });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });

  it('a refund that takes back all it can leaves the wallet spending', async () => {
    const { teamId, token } = await billing.createTeam('Nothing owed');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });
    expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, amountMinor: 500 }),
    );
    expect(await walletSuspended(billing, teamId, token)).toBe(false);
  });

  it('a refund that leaves credits owed suspends the wallet, audited', async () => {
    const { teamId, token } = await billing.createTeam('Owes');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });
    await spendCredits(billing, teamId, 9_000_000n);
    const refund = expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId }),
    ).refundPurchase;
    expect(refund).toMatchObject({ debitedCredits: '1000000', owedCredits: '9000000' });
    expect(await walletSuspended(billing, teamId, token)).toBe(true);

    // The audit log is written after the refund is recorded; it is a record, not a gate.
    const events = await eventually(
      'the refund and the suspension are audited',
      async () => {
        const all = await auditOf(billing, teamId);
        return all.some((e) => e.action === 'WALLET_SUSPENDED') ? all : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const issued = events.find((e) => e.action === 'REFUND_ISSUED')!;
    expect(issued).toMatchObject({
      actor: 'service:billing',
      targetType: 'Refund',
      targetId: refund.id,
    });
    expect(JSON.parse(issued.details)).toMatchObject({ owedCredits: '9000000', source: 'ADMIN' });
    const suspended = events.find((e) => e.action === 'WALLET_SUSPENDED')!;
    expect(JSON.parse(suspended.details)).toMatchObject({
      owedCredits: '9000000',
      cause: 'refund',
    });
  });
  it('a lost dispute that leaves credits owed suspends the wallet too', async () => {
    const { teamId, token } = await billing.createTeam('Charged back');
    const bought = await buyCredits(billing, { teamId, amountMinor: 1000, token });
    await spendCredits(billing, teamId, 10_000_000n);
    const dispute = billing.emulator.openDispute(bought.paymentId);
    billing.emulator.closeDispute(dispute.id, 'lost');
    await billing.emulator.whenDelivered();
    await eventually(
      'the lost dispute suspends the wallet',
      async () => ((await walletSuspended(billing, teamId, token)) ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const events = await auditOf(billing, teamId);
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['DISPUTE_OPENED', 'DISPUTE_LOST', 'WALLET_SUSPENDED']),
    );
    const lost = events.find((e) => e.action === 'DISPUTE_LOST')!;
    expect(JSON.parse(lost.details)).toMatchObject({
      debitedCredits: '0',
      owedCredits: '10000000',
    });
  });
});
