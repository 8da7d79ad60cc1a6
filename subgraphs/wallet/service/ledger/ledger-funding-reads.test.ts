import { randomUUID } from 'node:crypto';
import { actor, outcomeOf, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { walletStatement } from '../statement.js';
import { requestHash } from './core.js';
import type { Ledger } from './ledger.js';

const DAY = 86_400;

/** Grants with their payment, found again by it; statements summed from the ledger. */
describe.each(STORE_MODES)('payments and statements (%s database)', (mode) => {
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

  const usage = { inputTokens: 3, outputTokens: 4, modelId: 'acme/model', priceVersion: 2 };
  const hold = (walletId: string, amount: bigint) =>
    ledger.authorizeHold({
      walletId,
      amount,
      idempotencyKey: randomUUID(),
      expiresInSeconds: 600,
      metadata: { modelId: 'acme/model', priceVersion: 2 },
      actor,
    });

  it('stores a grant’s payment, as part of what its key stands for', async () => {
    const walletId = randomUUID();
    const metadata = { paymentId: 'pi_1', purchaseId: 'p-1', source: 'checkout' };
    const input = { walletId, amount: 500n, idempotencyKey: 'buy-1', metadata, actor };
    const granted = await ledger.grant(input);
    expect(granted).toMatchObject({ kind: 'GRANT', metadata });
    expect(await ledger.grant(input)).toEqual(granted);
    expect(
      await outcomeOf(ledger.grant({ ...input, metadata: { ...metadata, paymentId: 'pi_2' } })),
    ).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    // Without a payment, a grant hashes as grants always did: keys applied before still replay.
    const plain = await ledger.grant({ walletId, amount: 1n, idempotencyKey: 'plain', actor });
    expect(plain.requestHash).toBe(requestHash({ walletId, amount: 1n, memo: null }));
    expect(plain.metadata).toEqual({});
  });

  it('finds every grant of the payments asked about, in any wallet', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const paid = `pi_${randomUUID()}`;
    const other = `pi_${randomUUID()}`;
    // One payment granted twice under two keys (a bug reconciliation must see), another once.
    const first = await ledger.grant({
      walletId: a,
      amount: 100n,
      idempotencyKey: 'k1',
      metadata: { paymentId: paid },
      actor,
    });
    const second = await ledger.grant({
      walletId: a,
      amount: 100n,
      idempotencyKey: 'k2',
      metadata: { paymentId: paid },
      actor,
    });
    const third = await ledger.grant({
      walletId: b,
      amount: 7n,
      idempotencyKey: 'k1',
      metadata: { paymentId: other, source: 'auto-recharge' },
      actor,
    });
    await ledger.debit({
      walletId: a,
      amount: 1n,
      idempotencyKey: 'd',
      metadata: { paymentId: paid },
      actor,
    });
    const found = await ledger.fundingReads.grantsForPayments([other, paid, 'pi_unknown']);
    expect(found.map((t) => t.id)).toEqual([first.id, second.id, third.id]);
    expect(await ledger.fundingReads.grantsForPayments(['pi_unknown'])).toEqual([]);
  });

  it('a statement’s figures add up, from opening to closing, by the ledger’s time', async () => {
    const walletId = await h.fundedWallet(1000n);
    // Before the window: a call charged beyond its hold, and a debit the balance could not cover.
    const early = await hold(walletId, 400n);
    await ledger.captureHold({
      holdId: early.id,
      amount: 500n,
      idempotencyKey: 'early',
      usage,
      chargeExcess: true,
      actor,
    });
    await ledger.debit({ walletId, amount: 700n, idempotencyKey: 'lost-dispute', actor });

    await h.advanceClock(DAY);
    const [{ now: from }] = (await h.db.query<{ now: Date }>('SELECT ledger_now() AS now'))
      .rows as [{ now: Date }];
    await ledger.grant({ walletId, amount: 1000n, idempotencyKey: 'buy', actor });
    const call = await hold(walletId, 300n);
    await ledger.captureHold({ holdId: call.id, amount: 250n, idempotencyKey: 'c', usage, actor });
    const [capture] = await ledger.reads.transactions(walletId, { kinds: ['CAPTURE'] }, null, 1);
    await ledger.refund({ captureId: capture!.id, amount: 50n, idempotencyKey: 'r', actor });
    const lease = await hold(walletId, 100n);
    await ledger.spendFromHold({
      holdId: lease.id,
      amount: 150n,
      idempotencyKey: 's',
      usage,
      actor,
    });
    await ledger.debit({ walletId, amount: 100n, idempotencyKey: 'refund', actor });

    await h.advanceClock(DAY);
    const [{ now: to }] = (await h.db.query<{ now: Date }>('SELECT ledger_now() AS now')).rows as [
      { now: Date },
    ];
    await h.advanceClock(DAY);
    await ledger.grant({ walletId, amount: 5000n, idempotencyKey: 'later', actor });

    const statement = await walletStatement(ledger, walletId, from, to);
    expect(statement).toEqual({
      walletId,
      from,
      to,
      openingPosted: 0n,
      openingOwed: 200n,
      closingPosted: 350n,
      closingOwed: 0n,
      granted: 1000n,
      debited: 100n,
      charged: 400n,
      refunded: 50n,
    });
    const { openingPosted, openingOwed, closingPosted, closingOwed } = statement;
    expect(closingPosted - closingOwed).toBe(
      openingPosted -
        openingOwed +
        statement.granted +
        statement.refunded -
        statement.charged -
        statement.debited,
    );
    // The owed part of a debit counts as debited, a call's as charged.
    const before = await walletStatement(ledger, walletId, new Date(0), from);
    expect(before).toMatchObject({ granted: 1000n, charged: 500n, debited: 700n });
    expect(await ledger.reads.usageByModel(walletId, from, to)).toEqual([
      expect.objectContaining({ modelId: 'acme/model', calls: 2, spend: 350n }),
    ]);
    expect(await outcomeOf(walletStatement(ledger, walletId, to, from))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});
