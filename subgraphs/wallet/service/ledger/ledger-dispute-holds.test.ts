import { randomUUID } from 'node:crypto';
import {
  actor,
  outcomeOf,
  tally,
  useLedgerHarness,
} from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { Ledger } from './ledger.js';

const DAYS_180 = 180 * 86_400;

/** Dispute holds (never usage, never budgeted) and suspended wallets (no new calls). */
describe.each(STORE_MODES)('dispute holds and suspension (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  let ledger: Ledger;
  beforeAll(() => {
    ledger = h.ledger;
  });
  afterEach(async () => {
    await h.resetClock();
    await h.voidOpenHolds();
    await h.expectInvariants();
  });

  const usage = { inputTokens: 1, outputTokens: 1, modelId: 'acme/model', priceVersion: 1 };
  const disputeHold = (walletId: string, amount: bigint, expiresInSeconds = DAYS_180) =>
    ledger.authorizeHold({
      walletId,
      amount,
      minimumAmount: 1n,
      idempotencyKey: randomUUID(),
      expiresInSeconds,
      metadata: { purpose: 'DISPUTE' },
      actor,
    });
  const callHold = (walletId: string, amount: bigint, via: Ledger = ledger) =>
    via.authorizeHold({
      walletId,
      amount,
      idempotencyKey: randomUUID(),
      expiresInSeconds: 60,
      metadata: { modelId: 'acme/model', priceVersion: 1 },
      actor,
    });
  const wallet = async (walletId: string) => (await ledger.reads.balances([walletId]))[0]!;

  it('a dispute hold may live 180 days; a call hold at most one', async () => {
    const walletId = await h.fundedWallet(1000n);
    const hold = await disputeHold(walletId, 100n);
    expect(hold.expiresAt.getTime() - hold.createdAt.getTime()).toBe(DAYS_180 * 1000);
    expect(hold.metadata).toEqual({ purpose: 'DISPUTE' });
    // authorizeHold validates before it returns a promise: the refusal is thrown at once.
    const refused = (call: () => Promise<unknown>) => outcomeOf(Promise.resolve().then(call));
    expect(await refused(() => disputeHold(walletId, 100n, DAYS_180 + 1))).toMatchObject({
      code: 'BAD_USER_INPUT',
      extensions: { field: 'expiresInSeconds' },
    });
    expect(
      await refused(() =>
        ledger.authorizeHold({
          walletId,
          amount: 1n,
          idempotencyKey: randomUUID(),
          expiresInSeconds: 86_401,
          actor,
        }),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'expiresInSeconds' } });
  });

  it('takes what it can of the disputed credits, whatever the budget', async () => {
    const walletId = await h.fundedWallet(1000n);
    await ledger.setBudget({ walletId, monthlyLimit: 100n, alertThresholds: [] });
    const hold = await disputeHold(walletId, 5000n);
    expect(hold.amount).toBe(1000n);
    expect(await wallet(walletId)).toMatchObject({
      held: 1000n,
      disputeHeld: 1000n,
      available: 0n,
    });
  });

  it('leaves the budget out: calls keep their budget room, and refusals show only calls held', async () => {
    const walletId = await h.fundedWallet(10_000n);
    await ledger.setBudget({ walletId, monthlyLimit: 1000n, alertThresholds: [] });
    await disputeHold(walletId, 5000n);
    expect((await callHold(walletId, 600n)).amount).toBe(600n);
    expect(await outcomeOf(callHold(walletId, 500n))).toEqual({
      code: 'BUDGET_EXCEEDED',
      extensions: {
        code: 'BUDGET_EXCEEDED',
        monthlyLimit: '1000',
        monthToDateSpend: '0',
        held: '600',
        required: '500',
        available: '400',
      },
    });
  });

  it('is never charged for calls: captures and spends are refused', async () => {
    const walletId = await h.fundedWallet(1000n);
    const hold = await disputeHold(walletId, 400n);
    expect(
      await outcomeOf(
        ledger.captureHold({ holdId: hold.id, amount: 1n, idempotencyKey: 'c', usage, actor }),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT' });
    const spends = await Promise.all(
      [1n, 1000n].map((amount) =>
        outcomeOf(
          ledger.spendFromHold({ holdId: hold.id, amount, idempotencyKey: randomUUID(), actor }),
        ),
      ),
    );
    expect(tally(spends)).toEqual({ BAD_USER_INPUT: 2 });
    expect(await wallet(walletId)).toMatchObject({ posted: 1000n, held: 400n, disputeHeld: 400n });
    expect(await ledger.reads.usageByModel(walletId, new Date(0), new Date(2 ** 42))).toEqual([]);
  });

  it('a void releases it (dispute won), and the sweeper releases it at its expiry', async () => {
    const walletId = await h.fundedWallet(1000n);
    const won = await disputeHold(walletId, 300n);
    const forgotten = await disputeHold(walletId, 200n, 120);
    expect(await wallet(walletId)).toMatchObject({
      held: 500n,
      disputeHeld: 500n,
      available: 500n,
    });
    await ledger.voidHold({ holdId: won.id, actor });
    expect(await wallet(walletId)).toMatchObject({ held: 200n, disputeHeld: 200n });
    await h.advanceClock(180);
    expect(await ledger.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await h.resolutionsOf(forgotten.id)).toEqual(['EXPIRE']);
    expect(await wallet(walletId)).toMatchObject({ held: 0n, disputeHeld: 0n, available: 1000n });
  });

  it('a suspended wallet refuses holds for calls, alone or in a burst, with its reason', async () => {
    const walletId = await h.fundedWallet(1000n);
    await ledger.setSuspended({ walletId, suspended: true, reason: 'payment disputed' });
    expect(await wallet(walletId)).toMatchObject({
      suspended: true,
      suspendedReason: 'payment disputed',
    });
    expect(await outcomeOf(callHold(walletId, 10n))).toEqual({
      code: 'WALLET_SUSPENDED',
      extensions: { code: 'WALLET_SUSPENDED', reason: 'payment disputed' },
    });
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => outcomeOf(callHold(walletId, 10n, h.replica(i)))),
    );
    expect(tally(burst)).toEqual({ WALLET_SUSPENDED: 8 });
    expect(await wallet(walletId)).toMatchObject({ held: 0n });
  });

  it('charges of calls already served go on while suspended, and dispute holds are taken', async () => {
    const walletId = await h.fundedWallet(1000n);
    const lease = await callHold(walletId, 500n);
    const captured = await callHold(walletId, 100n);
    await ledger.setSuspended({ walletId, suspended: true, reason: null });
    await ledger.spendFromHold({
      holdId: lease.id,
      amount: 50n,
      idempotencyKey: 's1',
      usage,
      actor,
    });
    // Beyond the lease too: from the balance, as always.
    await ledger.spendFromHold({
      holdId: lease.id,
      amount: 600n,
      idempotencyKey: 's2',
      usage,
      actor,
    });
    await ledger.captureHold({ holdId: captured.id, amount: 80n, idempotencyKey: 'c', actor });
    expect((await disputeHold(walletId, 100n)).amount).toBe(100n);
    expect(await wallet(walletId)).toMatchObject({
      posted: 270n,
      held: 100n,
      suspendedReason: null,
    });
  });

  it('a reinstated wallet takes calls again', async () => {
    const walletId = await h.fundedWallet(1000n);
    await ledger.setSuspended({ walletId, suspended: true, reason: 'chargeback' });
    await ledger.setSuspended({ walletId, suspended: false, reason: 'ignored when reinstating' });
    expect(await wallet(walletId)).toMatchObject({ suspended: false, suspendedReason: null });
    expect((await callHold(walletId, 10n)).amount).toBe(10n);
  });

  it('suspends a wallet that has no account yet', async () => {
    const walletId = randomUUID();
    await ledger.setSuspended({ walletId, suspended: true, reason: 'r' });
    expect(await outcomeOf(callHold(walletId, 1n))).toMatchObject({ code: 'WALLET_SUSPENDED' });
  });
});
