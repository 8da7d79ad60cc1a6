import {
  failedEventsAfterDelivery,
  purchaseMoney,
  purchaseMoneyWhen,
  refundAsAdmin,
  spendCredits,
  walletMoney,
} from '../../support/billing-purchases.js';
import { buyCredits, startBillingStack, type BillingStack } from '../../support/billing-stack.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

describe.each(STORE_MODES)('disputed purchases (%s stores)', (mode) => {
  let billing: BillingStack;

  beforeAll(async () => {
    billing = await startBillingStack(mode);
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await billing?.stop();
  });
  afterEach(async () => {
    expect(await failedEventsAfterDelivery(billing)).toEqual([]);
  });

  async function buyAndDispute(name: string, amountMinor: number, disputedMinor?: number) {
    const team = await billing.createTeam(name);
    const bought = await buyCredits(billing, { ...team, amountMinor });
    const dispute = billing.emulator.openDispute(bought.paymentId, disputedMinor);
    const opened = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      team.token,
      (p) => p.disputes.length === 1 && p.disputes[0]!.heldCredits !== '0',
      'the dispute is recorded and held',
    );
    return { ...team, bought, dispute, opened };
  }

  it('an opened dispute holds its credits, and lost, takes them out', async () => {
    const { teamId, token, bought, dispute, opened } = await buyAndDispute('Lost', 1000, 600);
    expect(opened.disputes).toEqual([
      expect.objectContaining({
        id: dispute.id,
        amountMinor: 600,
        credits: '6000000',
        heldCredits: '6000000',
        status: 'OPEN',
      }),
    ]);
    expect((await walletMoney(billing, teamId, token)).balance).toEqual({
      available: '4000000',
      held: '6000000',
      posted: '10000000',
      owed: '0',
    });

    billing.emulator.closeDispute(dispute.id, 'lost');
    const lost = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      token,
      (p) => p.disputes[0]!.status === 'LOST' && p.clawedBackCredits !== '0',
      'the dispute is lost and debited',
    );
    expect(lost).toMatchObject({ clawedBackCredits: '6000000', owedCredits: '0' });
    expect(lost.disputes[0]!.closedAt).not.toBeNull();
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance).toEqual({
      available: '4000000',
      held: '0',
      posted: '4000000',
      owed: '0',
    });
    expect(wallet.entries.filter((e) => e.kind === 'DEBIT')).toEqual([
      { kind: 'DEBIT', amount: '6000000' },
    ]);
  });

  it('a won dispute releases the held credits', async () => {
    const { teamId, token, bought, dispute } = await buyAndDispute('Won', 1000);
    billing.emulator.closeDispute(dispute.id, 'won');
    const won = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      token,
      (p) => p.disputes[0]!.status === 'WON',
      'the dispute is won',
    );
    expect(won).toMatchObject({ clawedBackCredits: '0', owedCredits: '0' });
    await billing.emulator.whenDelivered();
    const wallet = await walletMoney(billing, teamId, token);
    expect(wallet.balance).toEqual({
      available: '10000000',
      held: '0',
      posted: '10000000',
      owed: '0',
    });
    expect(wallet.entries.filter((e) => e.kind === 'DEBIT')).toEqual([]);
  });

  it('holds only what is available, and a lost dispute records what was spent as owed', async () => {
    const team = await billing.createTeam('Spent');
    const bought = await buyCredits(billing, { ...team, amountMinor: 1000 });
    await spendCredits(billing, team.teamId, 7_500_000n);
    const dispute = billing.emulator.openDispute(bought.paymentId);
    const opened = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      team.token,
      (p) => p.disputes[0]?.heldCredits === '2500000',
      'the dispute holds what is available',
    );
    expect(opened.disputes[0]).toMatchObject({ credits: '10000000', status: 'OPEN' });

    billing.emulator.closeDispute(dispute.id, 'lost');
    const lost = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      team.token,
      (p) => p.owedCredits !== '0',
      'the lost dispute records owed credits',
    );
    expect(lost).toMatchObject({ clawedBackCredits: '2500000', owedCredits: '7500000' });
    expect((await walletMoney(billing, team.teamId, team.token)).balance).toEqual({
      available: '0',
      held: '0',
      posted: '0',
      owed: '7500000',
    });
  });

  it('ends right when the closing event arrives before the opening one, and twice', async () => {
    const team = await billing.createTeam('Reordered');
    const bought = await buyCredits(billing, { ...team, amountMinor: 1000 });
    await billing.emulator.whenDelivered();
    const webhookUrl = `${billing.stack.gatewayBase}/webhooks/stripe`;
    billing.emulator.setWebhookUrl(undefined);
    let created: string;
    let closed: string;
    try {
      const dispute = billing.emulator.openDispute(bought.paymentId);
      billing.emulator.closeDispute(dispute.id, 'lost');
      const events = billing.emulator.events();
      created = events.find(
        (e) => e.type === 'charge.dispute.created' && e.data.object.id === dispute.id,
      )!.id;
      closed = events.find(
        (e) => e.type === 'charge.dispute.closed' && e.data.object.id === dispute.id,
      )!.id;
    } finally {
      billing.emulator.setWebhookUrl(webhookUrl);
    }
    billing.emulator.redeliver(closed);
    billing.emulator.redeliver(closed);
    await billing.emulator.whenDelivered();
    billing.emulator.redeliver(created);
    await billing.emulator.whenDelivered();

    const lost = await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      team.token,
      (p) => p.disputes[0]?.status === 'LOST',
      'the dispute is lost',
    );
    expect(lost).toMatchObject({ clawedBackCredits: '10000000', owedCredits: '0' });
    // Nothing was left held by the late opening event, and the debit was taken once.
    const wallet = await walletMoney(billing, team.teamId, team.token);
    expect(wallet.balance).toEqual({ available: '0', held: '0', posted: '0', owed: '0' });
    expect(wallet.entries.filter((e) => e.kind === 'DEBIT')).toEqual([
      { kind: 'DEBIT', amount: '10000000' },
    ]);
  });
  it('a refund the provider refuses (a disputed charge) is FAILED and takes nothing', async () => {
    const { teamId, token, bought, dispute } = await buyAndDispute('Refused', 1000);
    const refused = expectErrorCode(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId, idempotencyKey: 'refused' }),
      'CONFLICT',
    );
    expect(refused.extensions).toMatchObject({ providerCode: 'charge_disputed' });
    const after = await purchaseMoney(billing, bought.purchaseId, token);
    expect(after.refunds).toEqual([
      expect.objectContaining({ status: 'FAILED', debitedCredits: null, owedCredits: null }),
    ]);
    expect(after).toMatchObject({ refundedAmountMinor: 0, clawedBackCredits: '0' });

    // Won, the charge is refundable again, and the failed refund left all of it to refund.
    billing.emulator.closeDispute(dispute.id, 'won');
    await purchaseMoneyWhen(
      billing,
      bought.purchaseId,
      token,
      (p) => p.disputes[0]!.status === 'WON',
      'the dispute is won',
    );
    const refund = expectNoErrors(
      await refundAsAdmin(billing, { purchaseId: bought.purchaseId }),
    ).refundPurchase;
    expect(refund).toMatchObject({ amountMinor: 1000, debitedCredits: '10000000' });
    expect((await walletMoney(billing, teamId, token)).balance).toEqual({
      available: '0',
      held: '0',
      posted: '0',
      owed: '0',
    });
  });
});
