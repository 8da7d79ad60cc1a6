import { randomUUID } from 'node:crypto';
import {
  actor,
  outcomeOf,
  tally,
  useLedgerHarness,
} from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { Ledger } from './ledger.js';

/** Debits: credits taken back to funding, owed when the balance lacks them, dispute holds taken. */
describe.each(STORE_MODES)('debits (%s database)', (mode) => {
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

  const payment = { paymentId: 'pi_123', purchaseId: 'purchase-1', source: 'dispute' };
  const debit = (
    walletId: string,
    amount: bigint,
    more: Partial<Parameters<Ledger['debit']>[0]> = {},
  ) => ledger.debit({ walletId, amount, idempotencyKey: randomUUID(), actor, ...more });
  const disputeHold = (walletId: string, amount: bigint, expiresInSeconds = 86_400 * 60) =>
    ledger.authorizeHold({
      walletId,
      amount,
      minimumAmount: 1n,
      idempotencyKey: randomUUID(),
      expiresInSeconds,
      metadata: { purpose: 'DISPUTE' },
      actor,
    });
  const callHold = (walletId: string, amount: bigint, key: string = randomUUID()) =>
    ledger.authorizeHold({ walletId, amount, idempotencyKey: key, expiresInSeconds: 60, actor });
  const figures = async (walletId: string) => {
    const [row] = await ledger.reads.balances([walletId]);
    return { posted: row!.posted, held: row!.held, available: row!.available, owed: row!.owed };
  };
  const entries = async (walletId: string) =>
    (await ledger.reads.transactions(walletId, {}, null, 50)).map((t) => [t.kind, t.amount]);

  it('takes credits from the balance to funding, recording the payment', async () => {
    const walletId = await h.fundedWallet(1000n);
    const made = await debit(walletId, 300n, { memo: 'refund', metadata: payment });
    expect(made).toMatchObject({ debitedAmount: 300n, owedAmount: 0n, releasedAmount: 0n });
    expect(made.transaction).toMatchObject({
      kind: 'DEBIT',
      amount: 300n,
      pendingId: null,
      memo: 'refund',
      metadata: { ...payment, owed: '0', released: '0' },
    });
    expect(await figures(walletId)).toEqual({ posted: 700n, held: 0n, available: 700n, owed: 0n });
    // A debit is not usage: this month's spend does not move.
    expect((await ledger.reads.balances([walletId]))[0]!.monthToDateSpend).toBe(0n);
  });

  it('never goes below zero: what the balance lacks is owed, and the next grant pays it', async () => {
    const walletId = await h.fundedWallet(500n);
    const held = await callHold(walletId, 200n);
    // 300 available (200 held for a call): 300 taken, 400 owed.
    const made = await debit(walletId, 700n);
    expect(made).toMatchObject({ debitedAmount: 300n, owedAmount: 400n });
    expect(await figures(walletId)).toEqual({
      posted: 200n,
      held: 200n,
      available: 0n,
      owed: 400n,
    });
    expect(await entries(walletId)).toEqual([
      ['OWED', 400n],
      ['DEBIT', 300n],
      ['HOLD', 200n],
      ['GRANT', 500n],
    ]);
    const [owed] = await ledger.reads.transactions(walletId, { kinds: ['OWED'] }, null, 1);
    expect(owed!.pendingId).toBe(made.transaction.id);

    // The call still gets charged; then a grant pays the debt first.
    await ledger.captureHold({ holdId: held.id, amount: 150n, idempotencyKey: 'c', actor });
    const grant = await ledger.grant({ walletId, amount: 1000n, idempotencyKey: 'top', actor });
    expect(await figures(walletId)).toEqual({ posted: 650n, held: 0n, available: 650n, owed: 0n });
    const [repay] = await ledger.reads.transactions(walletId, { kinds: ['REPAY'] }, null, 1);
    expect(repay).toMatchObject({ amount: 400n, pendingId: grant.id });
  });

  it('debits a wallet that never had credits: all of it owed', async () => {
    const walletId = randomUUID();
    expect(await debit(walletId, 90n)).toMatchObject({ debitedAmount: 0n, owedAmount: 90n });
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 90n });
  });

  it('applies a key once; other parameters under it are IDEMPOTENCY_CONFLICT', async () => {
    const walletId = await h.fundedWallet(1000n);
    const input = { walletId, amount: 100n, idempotencyKey: 'refund-1', metadata: payment, actor };
    const first = await ledger.debit(input);
    expect(await ledger.debit(input)).toEqual(first);
    expect(await outcomeOf(ledger.debit({ ...input, amount: 101n }))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(
      await outcomeOf(ledger.debit({ ...input, metadata: { ...payment, paymentId: 'pi_other' } })),
    ).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(await figures(walletId)).toMatchObject({ posted: 900n });
  });

  it('concurrent debits under one key debit once', async () => {
    const walletId = await h.fundedWallet(1000n);
    const input = { walletId, amount: 100n, idempotencyKey: 'same', actor };
    const made = await Promise.all(Array.from({ length: 10 }, (_, i) => h.replica(i).debit(input)));
    expect(new Set(made.map((d) => d.transaction.id)).size).toBe(1);
    expect(await figures(walletId)).toMatchObject({ posted: 900n });
  });

  it('takes a dispute hold: the hold released and the debit made in one transaction', async () => {
    const walletId = await h.fundedWallet(1000n);
    const hold = await disputeHold(walletId, 400n);
    expect(await figures(walletId)).toEqual({
      posted: 1000n,
      held: 400n,
      available: 600n,
      owed: 0n,
    });
    const made = await debit(walletId, 400n, { holdId: hold.id, metadata: payment });
    expect(made).toMatchObject({ debitedAmount: 400n, owedAmount: 0n, releasedAmount: 400n });
    expect(made.transaction.pendingId).toBe(hold.id);
    expect(await figures(walletId)).toEqual({ posted: 600n, held: 0n, available: 600n, owed: 0n });
    expect(await h.resolutionsOf(hold.id)).toEqual(['VOID']);
    expect((await ledger.reads.holdsByIds([hold.id]))[0]).toMatchObject({ status: 'VOIDED' });
    const [row] = await ledger.reads.balances([walletId]);
    expect(row!.disputeHeld).toBe(0n);
  });

  it('a dispute hold smaller than the debit: the hold and the balance pay, the rest is owed', async () => {
    const walletId = await h.fundedWallet(300n);
    const hold = await disputeHold(walletId, 1000n);
    expect(hold.amount).toBe(300n);
    expect(await debit(walletId, 1000n, { holdId: hold.id })).toMatchObject({
      debitedAmount: 300n,
      owedAmount: 700n,
      releasedAmount: 300n,
    });
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 700n });
  });

  it('held credits cannot be spent by calls racing the debit', async () => {
    const walletId = await h.fundedWallet(1000n);
    const hold = await disputeHold(walletId, 1000n);
    const calls = Array.from({ length: 20 }, (_, i) =>
      outcomeOf(
        h.replica(i).authorizeHold({
          walletId,
          amount: 100n,
          idempotencyKey: `call-${i}`,
          expiresInSeconds: 60,
          actor,
        }),
      ),
    );
    const [made, ...outcomes] = await Promise.all([
      debit(walletId, 1000n, { holdId: hold.id }),
      ...calls,
    ]);
    expect(made).toMatchObject({ debitedAmount: 1000n, owedAmount: 0n });
    expect(tally(outcomes)).toEqual({ INSUFFICIENT_FUNDS: 20 });
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 0n });
  });

  it('a dispute hold already voided releases nothing; the debit is still taken', async () => {
    const walletId = await h.fundedWallet(1000n);
    const hold = await disputeHold(walletId, 400n);
    await ledger.voidHold({ holdId: hold.id, actor });
    expect(await debit(walletId, 400n, { holdId: hold.id })).toMatchObject({
      debitedAmount: 400n,
      releasedAmount: 0n,
    });
    expect(await figures(walletId)).toEqual({ posted: 600n, held: 0n, available: 600n, owed: 0n });
  });

  it('releases a dispute hold past its expiry that the sweeper has not reached', async () => {
    const walletId = await h.fundedWallet(1000n);
    const hold = await disputeHold(walletId, 400n, 60);
    await h.advanceClock(120);
    expect(await debit(walletId, 400n, { holdId: hold.id })).toMatchObject({
      debitedAmount: 400n,
      releasedAmount: 400n,
    });
    expect(await h.resolutionsOf(hold.id)).toEqual(['VOID']);
    expect(await figures(walletId)).toMatchObject({ posted: 600n, held: 0n });
  });

  it('refuses a hold that is not a dispute hold of the wallet, writing nothing', async () => {
    const walletId = await h.fundedWallet(1000n);
    const other = await h.fundedWallet(1000n);
    const call = await callHold(walletId, 100n);
    const foreign = await disputeHold(other, 100n);
    const before = await h.transferCount();
    for (const holdId of [call.id, foreign.id]) {
      expect(await outcomeOf(debit(walletId, 10n, { holdId }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        extensions: { field: 'holdId' },
      });
    }
    expect(await outcomeOf(debit(walletId, 10n, { holdId: randomUUID() }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await h.transferCount()).toBe(before);
  });

  it('validates the amount and the payment fields', async () => {
    const walletId = await h.fundedWallet(1000n);
    expect(await outcomeOf(debit(walletId, 0n))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(
      await outcomeOf(debit(walletId, 1n, { metadata: { paymentId: 'x'.repeat(201) } })),
    ).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'metadata.paymentId' } });
  });
});
