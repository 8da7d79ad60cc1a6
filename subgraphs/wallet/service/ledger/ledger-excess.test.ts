import { randomUUID } from 'node:crypto';
import { outcomeOf, actor, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { Ledger } from './ledger.js';

/** Charges beyond a hold: taken from the balance, the rest owed, paid from the next credits. */
describe.each(STORE_MODES)('charges beyond the hold (%s database)', (mode) => {
  const harness = useLedgerHarness(mode);
  let ledger: Ledger;
  beforeAll(() => {
    ledger = harness.ledger;
  });
  afterEach(async () => {
    await harness.voidOpenHolds();
    await harness.expectInvariants();
  });

  const hold = (walletId: string, amount: bigint, key: string = randomUUID()) =>
    ledger.authorizeHold({ walletId, amount, idempotencyKey: key, expiresInSeconds: 60, actor });
  const capture = (holdId: string, amount: bigint, key = `capture-${holdId}`) =>
    ledger.captureHold({
      holdId,
      amount,
      idempotencyKey: key,
      usage: { inputTokens: 10, outputTokens: 5, modelId: 'acme/model', priceVersion: 1 },
      chargeExcess: true,
      actor,
    });
  const figures = async (walletId: string) => {
    const [row] = await ledger.reads.balances([walletId]);
    return { posted: row!.posted, held: row!.held, available: row!.available, owed: row!.owed };
  };
  const kinds = async (walletId: string) =>
    (await ledger.reads.transactions(walletId, {}, null, 50)).map((t) => [t.kind, t.amount]);

  it('without chargeExcess, a capture above the hold is still refused', async () => {
    const walletId = await harness.fundedWallet(1000n);
    const { id } = await hold(walletId, 100n);
    const refused = await outcomeOf(
      ledger.captureHold({ holdId: id, amount: 101n, idempotencyKey: 'c', actor }),
    );
    expect(refused).toEqual({
      code: 'CAPTURE_EXCEEDS_HOLD',
      extensions: { code: 'CAPTURE_EXCEEDS_HOLD', held: '100', required: '101' },
    });
  });

  it('takes the excess from the available balance', async () => {
    const walletId = await harness.fundedWallet(1000n);
    const { id } = await hold(walletId, 100n);
    const captured = await capture(id, 150n);
    expect(captured).toMatchObject({
      status: 'CAPTURED',
      capturedAmount: 150n,
      excessAmount: 50n,
      owedAmount: 0n,
    });
    expect(await figures(walletId)).toEqual({
      posted: 850n,
      held: 0n,
      available: 850n,
      owed: 0n,
    });
    expect(await kinds(walletId)).toEqual([
      ['EXCESS', 50n],
      ['CAPTURE', 100n],
      ['HOLD', 100n],
      ['GRANT', 1000n],
    ]);
  });

  it('records what the balance cannot cover as owed, and the next grant pays it first', async () => {
    const walletId = await harness.fundedWallet(120n);
    const { id } = await hold(walletId, 100n);
    expect(await capture(id, 150n)).toMatchObject({
      capturedAmount: 150n,
      excessAmount: 50n,
      owedAmount: 30n,
    });
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 30n });
    expect(await outcomeOf(hold(walletId, 1n))).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });

    await ledger.grant({ walletId, amount: 50n, idempotencyKey: 'top-up', actor });
    expect(await figures(walletId)).toEqual({ posted: 20n, held: 0n, available: 20n, owed: 0n });
    const [repay] = await ledger.reads.transactions(walletId, { kinds: ['REPAY'] }, null, 5);
    const [grant] = await ledger.reads.transactions(walletId, { kinds: ['GRANT'] }, null, 1);
    expect(repay).toMatchObject({ amount: 30n, pendingId: grant!.id });
    // A repeated grant changes nothing, and pays nothing twice.
    await ledger.grant({ walletId, amount: 50n, idempotencyKey: 'top-up', actor });
    expect(await figures(walletId)).toEqual({ posted: 20n, held: 0n, available: 20n, owed: 0n });
  });

  it('owed credits are not spendable even when held credits come back', async () => {
    const walletId = await harness.fundedWallet(200n);
    const first = await hold(walletId, 100n);
    const second = await hold(walletId, 100n);
    // Nothing is free while the second hold is open: all 50 of the excess is owed.
    expect(await capture(first.id, 150n)).toMatchObject({ owedAmount: 50n });
    await ledger.voidHold({ holdId: second.id, actor });
    expect(await figures(walletId)).toEqual({ posted: 100n, held: 0n, available: 50n, owed: 50n });
    expect(await outcomeOf(hold(walletId, 51n))).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      extensions: { available: '50', required: '51' },
    });
    expect(await outcomeOf(hold(walletId, 50n))).toEqual({ code: 'OK', extensions: {} });
  });

  it('a grant smaller than the debt pays what it can', async () => {
    const walletId = await harness.fundedWallet(100n);
    const { id } = await hold(walletId, 100n);
    await capture(id, 180n);
    await ledger.grant({ walletId, amount: 30n, idempotencyKey: 'small', actor });
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 50n });
  });

  it('a refund pays what the wallet owes', async () => {
    const walletId = await harness.fundedWallet(300n);
    const paid = await hold(walletId, 200n);
    await capture(paid.id, 200n);
    const over = await hold(walletId, 100n);
    await capture(over.id, 160n);
    expect(await figures(walletId)).toMatchObject({ posted: 0n, owed: 60n });
    const [firstCapture] = await ledger.reads
      .transactions(walletId, { kinds: ['CAPTURE'] }, null, 5)
      .then((rows) => rows.filter((t) => t.pendingId === paid.id));
    await ledger.refund({
      captureId: firstCapture!.id,
      amount: 100n,
      idempotencyKey: 'sorry',
      actor,
    });
    expect(await figures(walletId)).toEqual({ posted: 40n, held: 0n, available: 40n, owed: 0n });
  });

  it('a repeated capture answers the same and charges nothing more', async () => {
    const walletId = await harness.fundedWallet(100n);
    const { id } = await hold(walletId, 80n);
    const first = await capture(id, 130n, 'once');
    const again = await capture(id, 130n, 'once');
    expect(again).toEqual(first);
    expect(await figures(walletId)).toEqual({ posted: 0n, held: 0n, available: 0n, owed: 30n });
    expect(await outcomeOf(capture(id, 140n, 'once'))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
  });

  it('the excess counts as the month’s spend and as the model’s usage', async () => {
    const walletId = await harness.fundedWallet(1000n);
    await ledger.setBudget({ walletId, monthlyLimit: 10_000n, alertThresholds: [] });
    const { id } = await ledger.authorizeHold({
      walletId,
      amount: 100n,
      idempotencyKey: 'budgeted',
      expiresInSeconds: 60,
      metadata: { modelId: 'acme/model', priceVersion: 1 },
      actor,
    });
    await capture(id, 175n);
    const [row] = await ledger.reads.balances([walletId]);
    expect(row!.monthToDateSpend).toBe(175n);
    const usage = await ledger.reads.usageByModel(
      walletId,
      new Date(Date.now() - 3_600_000),
      new Date(Date.now() + 3_600_000),
    );
    expect(usage).toEqual([expect.objectContaining({ modelId: 'acme/model', spend: 175n })]);
  });

  it('finds a hold by its idempotency key', async () => {
    const walletId = await harness.fundedWallet(100n);
    const made = await hold(walletId, 10n, 'hold:by-key');
    expect(await ledger.reads.holdByKey(walletId, 'hold:by-key')).toMatchObject({
      id: made.id,
      status: 'PENDING',
    });
    expect(await ledger.reads.holdByKey(walletId, 'hold:unknown')).toBeUndefined();
  });

  it('concurrent excess captures, holds and grants keep every invariant', async () => {
    const walletId = await harness.fundedWallet(1_000n);
    const holds = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        harness.replica(i).authorizeHold({
          walletId,
          amount: 100n,
          idempotencyKey: `race-${i}`,
          expiresInSeconds: 60,
          actor,
        }),
      ),
    );
    const outcomes = await Promise.all([
      ...holds.map((h, i) =>
        outcomeOf(
          harness.replica(i).captureHold({
            holdId: h.id,
            amount: 100n + BigInt(i * 40),
            idempotencyKey: `race-capture-${i}`,
            chargeExcess: true,
            actor,
          }),
        ),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        outcomeOf(
          harness
            .replica(i)
            .grant({ walletId, amount: 25n, idempotencyKey: `race-grant-${i}`, actor }),
        ),
      ),
    ]);
    expect(outcomes.every((o) => o.code === 'OK')).toBe(true);
    // 1,100 granted, 800 + 40 × (0 + … + 7) = 1,920 charged: 820 short, however they interleaved.
    const after = await figures(walletId);
    expect(after).toMatchObject({ held: 0n, available: 0n });
    expect(after.posted - after.owed).toBe(-820n);
  });
});
