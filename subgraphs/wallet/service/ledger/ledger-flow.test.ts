import { randomUUID } from 'node:crypto';
import { actor, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { Ledger } from './ledger.js';

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { extensions?: { code?: string } }) => e.extensions?.code ?? String(e),
  );

describe.each(STORE_MODES)('ledger flows (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  let ledger: Ledger;
  beforeAll(() => {
    ledger = h.ledger;
  });
  afterEach(async () => {
    await h.expectInvariants();
  });
  /** A hold of `amount` for 60 s under `key`. */
  const authorize = (walletId: string, amount: bigint, idempotencyKey: string) =>
    ledger.authorizeHold({ walletId, amount, idempotencyKey, expiresInSeconds: 60, actor });

  it('grants, holds, captures part and releases the rest', async () => {
    const walletId = randomUUID();
    await ledger.grant({ walletId, amount: 1000n, idempotencyKey: 'g1', actor });
    const hold = await authorize(walletId, 300n, 'h1');
    expect(hold.status).toBe('PENDING');
    expect((await ledger.reads.balances([walletId]))[0]).toMatchObject({
      posted: 1000n,
      held: 300n,
      available: 700n,
    });
    const captured = await ledger.captureHold({
      holdId: hold.id,
      amount: 200n,
      idempotencyKey: 'c1',
      actor,
    });
    expect(captured).toMatchObject({ status: 'CAPTURED', capturedAmount: 200n });
    expect((await ledger.reads.balances([walletId]))[0]).toMatchObject({
      posted: 800n,
      held: 0n,
      available: 800n,
    });
  });

  it('refuses a hold above the available balance with the figures', async () => {
    const walletId = randomUUID();
    await ledger.grant({ walletId, amount: 100n, idempotencyKey: 'g', actor });
    await expect(authorize(walletId, 101n, 'h')).rejects.toMatchObject({
      extensions: { code: 'INSUFFICIENT_FUNDS', available: '100', required: '101' },
    });
  });

  it('resolves a hold once: void after capture is refused, capture above the hold is refused', async () => {
    const walletId = randomUUID();
    await ledger.grant({ walletId, amount: 100n, idempotencyKey: 'g', actor });
    const hold = await authorize(walletId, 50n, 'h');
    expect(
      await codeOf(
        ledger.captureHold({ holdId: hold.id, amount: 51n, idempotencyKey: 'c', actor }),
      ),
    ).toBe('CAPTURE_EXCEEDS_HOLD');
    await ledger.captureHold({ holdId: hold.id, amount: 50n, idempotencyKey: 'c', actor });
    expect(await codeOf(ledger.voidHold({ holdId: hold.id, actor }))).toBe('HOLD_ALREADY_RESOLVED');
    expect(
      await codeOf(
        ledger.captureHold({ holdId: hold.id, amount: 10n, idempotencyKey: 'c2', actor }),
      ),
    ).toBe('HOLD_ALREADY_RESOLVED');
  });

  it('expires by the ledger clock: capture refused before the sweeper, then released once', async () => {
    const walletId = randomUUID();
    await ledger.grant({ walletId, amount: 100n, idempotencyKey: 'g', actor });
    const hold = await ledger.authorizeHold({
      walletId,
      amount: 40n,
      idempotencyKey: 'h',
      expiresInSeconds: 30,
      actor,
    });
    await h.db.query('INSERT INTO clock_offset (seconds) VALUES (31)');
    try {
      expect(
        await codeOf(
          ledger.captureHold({ holdId: hold.id, amount: 40n, idempotencyKey: 'c', actor }),
        ),
      ).toBe('HOLD_EXPIRED');
      expect(await ledger.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect(await ledger.sweepExpired()).toBe(0);
      expect((await ledger.reads.balances([walletId]))[0]).toMatchObject({
        posted: 100n,
        held: 0n,
      });
      expect((await ledger.reads.holdsByIds([hold.id]))[0]?.status).toBe('EXPIRED');
    } finally {
      await h.db.query('DELETE FROM clock_offset');
    }
  });

  it('replays a key with the same parameters and refuses it with different ones', async () => {
    const walletId = randomUUID();
    const first = await ledger.grant({ walletId, amount: 10n, idempotencyKey: 'k', actor });
    const again = await ledger.grant({ walletId, amount: 10n, idempotencyKey: 'k', actor });
    expect(again.id).toBe(first.id);
    expect(await codeOf(ledger.grant({ walletId, amount: 11n, idempotencyKey: 'k', actor }))).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await ledger.reads.balances([walletId]))[0]?.posted).toBe(10n);
  });

  it('refunds up to the capture and no further', async () => {
    const walletId = randomUUID();
    await ledger.grant({ walletId, amount: 100n, idempotencyKey: 'g', actor });
    const hold = await authorize(walletId, 60n, 'h');
    await ledger.captureHold({ holdId: hold.id, amount: 60n, idempotencyKey: 'c', actor });
    const [capture] = await ledger.reads.transactions(walletId, { kinds: ['CAPTURE'] }, null, 1);
    await ledger.refund({ captureId: capture!.id, amount: 40n, idempotencyKey: 'r1', actor });
    await expect(
      ledger.refund({ captureId: capture!.id, amount: 21n, idempotencyKey: 'r2', actor }),
    ).rejects.toMatchObject({
      extensions: { code: 'REFUND_EXCEEDS_CAPTURE', refundable: '20', required: '21' },
    });
    expect((await ledger.reads.balances([walletId]))[0]?.posted).toBe(80n);
  });

  it('refuses a hold that would exceed the monthly budget', async () => {
    const walletId = randomUUID();
    await ledger.grant({ walletId, amount: 1000n, idempotencyKey: 'g', actor });
    await ledger.setBudget({ walletId, monthlyLimit: 100n, alertThresholds: [50, 80] });
    const hold = await authorize(walletId, 70n, 'h1');
    await ledger.captureHold({ holdId: hold.id, amount: 70n, idempotencyKey: 'c1', actor });
    await expect(authorize(walletId, 31n, 'h2')).rejects.toMatchObject({
      extensions: {
        code: 'BUDGET_EXCEEDED',
        monthToDateSpend: '70',
        required: '31',
        available: '30',
      },
    });
  });
});
