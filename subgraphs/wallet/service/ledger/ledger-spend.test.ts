import { randomUUID } from 'node:crypto';
import { actor, outcomeOf, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { Ledger } from './ledger.js';

/** Spends against a hold that stays open (a credit lease), and what resolving it releases. */
describe.each(STORE_MODES)('spends against a hold (%s database)', (mode) => {
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

  const usage = { inputTokens: 10, outputTokens: 5, modelId: 'acme/model', priceVersion: 2 };
  const lease = (walletId: string, amount: bigint, expiresInSeconds = 60) =>
    ledger.authorizeHold({
      walletId,
      amount,
      idempotencyKey: randomUUID(),
      expiresInSeconds,
      metadata: { modelId: 'acme/lease', priceVersion: 1 },
      actor,
    });
  const spend = (holdId: string, amount: bigint, key: string = randomUUID()) =>
    ledger.spendFromHold({ holdId, amount, idempotencyKey: key, usage, actor });
  const figures = async (walletId: string) => {
    const [row] = await ledger.reads.balances([walletId]);
    return { posted: row!.posted, held: row!.held, available: row!.available, owed: row!.owed };
  };
  const holdOf = async (holdId: string) => (await ledger.reads.holdsByIds([holdId]))[0]!;
  const entries = async (walletId: string) =>
    (await ledger.reads.transactions(walletId, {}, null, 50)).map((t) => [t.kind, t.amount]);

  it('charges a spend within the hold from it, and the hold stays open with the rest', async () => {
    const walletId = await h.fundedWallet(5000n);
    const held = await lease(walletId, 1000n);
    const spent = await spend(held.id, 100n);
    expect(spent).toMatchObject({
      holdId: held.id,
      walletId,
      amount: 100n,
      excessAmount: 0n,
      owedAmount: 0n,
    });
    expect(await spend(held.id, 250n)).toMatchObject({ amount: 250n, excessAmount: 0n });
    expect(await figures(walletId)).toEqual({
      posted: 4650n,
      held: 650n,
      available: 4000n,
      owed: 0n,
    });
    expect(await holdOf(held.id)).toMatchObject({ status: 'PENDING', spentAmount: 350n });
    expect(await entries(walletId)).toEqual([
      ['SPEND', 250n],
      ['SPEND', 100n],
      ['HOLD', 1000n],
      ['GRANT', 5000n],
    ]);
    const [row] = await ledger.reads.balances([walletId]);
    expect(row!.monthToDateSpend).toBe(350n);
  });

  it('charges beyond the hold from the balance, then as owed', async () => {
    const walletId = await h.fundedWallet(300n);
    const held = await lease(walletId, 200n);
    await spend(held.id, 150n);
    // 50 left in the hold; 30 of the 80 beyond it comes from the 100 available.
    expect(await spend(held.id, 80n)).toMatchObject({
      amount: 80n,
      excessAmount: 30n,
      owedAmount: 0n,
    });
    expect(await figures(walletId)).toEqual({ posted: 70n, held: 0n, available: 70n, owed: 0n });
    // The hold is spent out: all 100 is beyond it, 70 from the balance and 30 owed.
    const beyond = await spend(held.id, 100n);
    expect(beyond).toMatchObject({ amount: 100n, excessAmount: 100n, owedAmount: 30n });
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 30n });
    // The excess names the spend it goes beyond, not the hold.
    const beyondIt = await ledger.reads.transactions(
      walletId,
      { kinds: ['EXCESS', 'OWED'] },
      null,
      9,
    );
    expect(
      beyondIt.filter((t) => t.pendingId === beyond.id).map((t) => [t.kind, t.amount]),
    ).toEqual([
      ['OWED', 30n],
      ['EXCESS', 70n],
    ]);
    expect(await holdOf(held.id)).toMatchObject({ status: 'PENDING', spentAmount: 200n });
  });

  it('charges everything beyond a hold past its expiry, even before the sweeper', async () => {
    const walletId = await h.fundedWallet(1000n);
    const held = await lease(walletId, 400n, 30);
    await spend(held.id, 100n);
    await h.advanceClock(31);
    expect(await spend(held.id, 50n)).toMatchObject({ amount: 50n, excessAmount: 50n });
    // The hold's 300 left is still reserved until the sweeper releases it.
    expect(await figures(walletId)).toEqual({
      posted: 850n,
      held: 300n,
      available: 550n,
      owed: 0n,
    });
    expect(await ledger.sweepExpired()).toBe(1);
    expect(await figures(walletId)).toEqual({
      posted: 850n,
      held: 0n,
      available: 850n,
      owed: 0n,
    });
    const [expiry] = await ledger.reads.transactions(walletId, { kinds: ['EXPIRE'] }, null, 1);
    expect(expiry).toMatchObject({ pendingId: held.id, released: 300n });
    expect(await holdOf(held.id)).toMatchObject({ status: 'EXPIRED', spentAmount: 100n });
  });

  it('charges everything beyond a voided hold, and a replay after the void is the original', async () => {
    const walletId = await h.fundedWallet(1000n);
    const held = await lease(walletId, 400n);
    const before = await spend(held.id, 100n, 'before-void');
    const voided = await ledger.voidHold({ holdId: held.id, actor });
    expect(voided).toMatchObject({ status: 'VOIDED', spentAmount: 100n });
    const after = await spend(held.id, 60n);
    expect(after).toMatchObject({ amount: 60n, excessAmount: 60n, owedAmount: 0n });
    expect(await figures(walletId)).toEqual({
      posted: 840n,
      held: 0n,
      available: 840n,
      owed: 0n,
    });
    // The SPEND itself records that the hold covered nothing.
    const [row] = await ledger.reads.transfersByIds([after.id]);
    expect(row).toMatchObject({ kind: 'SPEND', amount: 0n, pendingId: held.id });
    expect(await spend(held.id, 100n, 'before-void')).toEqual(before);
  });

  it('replays a key with the same spend and refuses it with another', async () => {
    const walletId = await h.fundedWallet(1000n);
    const held = await lease(walletId, 500n);
    const first = await spend(held.id, 120n, 'call-1');
    const count = await h.transferCount(walletId);
    expect(await spend(held.id, 120n, 'call-1')).toEqual(first);
    expect(await h.transferCount(walletId)).toBe(count);
    for (const other of [
      () => spend(held.id, 121n, 'call-1'),
      () =>
        ledger.spendFromHold({ holdId: held.id, amount: 120n, idempotencyKey: 'call-1', actor }),
    ]) {
      expect(await outcomeOf(other())).toEqual({
        code: 'IDEMPOTENCY_CONFLICT',
        extensions: { code: 'IDEMPOTENCY_CONFLICT', idempotencyKey: 'call-1' },
      });
    }
    expect(await figures(walletId)).toMatchObject({ posted: 880n, held: 380n });
  });

  it('refuses a spend of nothing, a bad key and an unknown hold', async () => {
    const walletId = await h.fundedWallet(100n);
    const held = await lease(walletId, 50n);
    expect(await outcomeOf(spend(held.id, 0n))).toMatchObject({
      code: 'BAD_USER_INPUT',
      extensions: { field: 'amount' },
    });
    expect(await outcomeOf(spend(held.id, 1n, ''))).toMatchObject({
      code: 'BAD_USER_INPUT',
      extensions: { field: 'idempotencyKey' },
    });
    const unknown = randomUUID();
    expect(await outcomeOf(spend(unknown, 10n))).toEqual({
      code: 'NOT_FOUND',
      extensions: { code: 'NOT_FOUND', id: unknown },
    });
    expect(await figures(walletId)).toMatchObject({ posted: 100n, held: 50n });
  });

  it('resolving a hold after spends releases only what is left', async () => {
    const walletId = await h.fundedWallet(1000n);
    const held = await lease(walletId, 100n);
    await spend(held.id, 30n);
    expect(
      await outcomeOf(
        ledger.captureHold({ holdId: held.id, amount: 71n, idempotencyKey: 'c', actor }),
      ),
    ).toEqual({
      code: 'CAPTURE_EXCEEDS_HOLD',
      extensions: { code: 'CAPTURE_EXCEEDS_HOLD', held: '70', required: '71' },
    });
    const captured = await ledger.captureHold({
      holdId: held.id,
      amount: 50n,
      idempotencyKey: 'c',
      actor,
    });
    expect(captured).toMatchObject({ status: 'CAPTURED', capturedAmount: 50n, spentAmount: 30n });
    const [capture] = await ledger.reads.transactions(walletId, { kinds: ['CAPTURE'] }, null, 1);
    expect(capture).toMatchObject({ amount: 50n, released: 70n });
    expect(await figures(walletId)).toEqual({ posted: 920n, held: 0n, available: 920n, owed: 0n });
  });

  it('a capture beyond what spends left takes the rest of the hold and charges the excess', async () => {
    const walletId = await h.fundedWallet(1000n);
    const held = await lease(walletId, 100n);
    await spend(held.id, 60n);
    const captured = await ledger.captureHold({
      holdId: held.id,
      amount: 90n,
      idempotencyKey: 'c',
      chargeExcess: true,
      actor,
    });
    expect(captured).toMatchObject({ capturedAmount: 90n, excessAmount: 50n, spentAmount: 60n });
    expect(await figures(walletId)).toEqual({ posted: 850n, held: 0n, available: 850n, owed: 0n });
  });

  it('counts each spend as one call of the model in its usage, excess included', async () => {
    const walletId = await h.fundedWallet(1000n);
    const held = await lease(walletId, 100n);
    await spend(held.id, 60n);
    await spend(held.id, 70n);
    await ledger.spendFromHold({
      holdId: held.id,
      amount: 5n,
      idempotencyKey: 'no-usage',
      actor,
    });
    const hour = 3_600_000;
    const usageRows = await ledger.reads.usageByModel(
      walletId,
      new Date(Date.now() - hour),
      new Date(Date.now() + hour),
    );
    expect(usageRows).toEqual([
      {
        modelId: 'acme/model',
        calls: 2,
        inputTokens: 20,
        outputTokens: 10,
        spend: 130n,
        priceVersions: [2],
      },
      // Without usage, the call counts under the hold's model.
      {
        modelId: 'acme/lease',
        calls: 1,
        inputTokens: 0,
        outputTokens: 0,
        spend: 5n,
        priceVersions: [1],
      },
    ]);
  });
});
