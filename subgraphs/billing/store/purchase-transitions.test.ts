import { randomUUID } from 'node:crypto';
import type { Db } from '../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { BILLING_SCHEMA, prepareBillingStore } from '../server.js';
import { createPurchaseStore } from './purchase-store.js';
import { createPurchaseTransitions } from './purchase-transitions.js';

describe.each(STORE_MODES)('purchase transitions (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open(BILLING_SCHEMA);
    await prepareBillingStore(db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const open = async () => {
    const purchase = await createPurchaseStore(db).insert({
      id: randomUUID(),
      teamId: randomUUID(),
      kind: 'CHECKOUT',
      status: 'OPEN',
      currency: 'usd',
      requestedAmountMinor: 1000,
      packId: null,
      idempotencyKey: randomUUID(),
      requestHash: 'h',
      createdBy: 'test',
    });
    return purchase!.id;
  };
  const paid = (purchaseId: string, paymentId = `pi_${randomUUID()}`) => ({
    purchaseId,
    paymentId,
    paidAmountMinor: 1000,
    grantedCredits: 10_000_000n,
    grantTransferId: randomUUID(),
  });

  it('moves OPEN → PROCESSING → PAID once; a second markPaid is null', async () => {
    const t = createPurchaseTransitions(db);
    const id = await open();
    expect(await t.markProcessing(id, 'pi_1')).toMatchObject({
      status: 'PROCESSING',
      paymentId: 'pi_1',
    });
    const first = await t.markPaid(paid(id, 'pi_1'));
    expect(first).toMatchObject({
      status: 'PAID',
      paidAmountMinor: 1000,
      grantedCredits: 10_000_000n,
      paidAt: expect.any(Date),
    });
    expect(await t.markPaid(paid(id, 'pi_1'))).toBeNull();
  });

  it('never moves back: a paid purchase stays PAID whatever arrives late', async () => {
    const t = createPurchaseTransitions(db);
    const id = await open();
    await t.markPaid(paid(id));
    expect(await t.markProcessing(id, 'pi_late')).toBeNull();
    expect(await t.markFailed(id, 'pi_late')).toBeNull();
    expect(await t.markExpired(id)).toBeNull();
    const [row] = await createPurchaseStore(db).byIds([id]);
    expect(row?.status).toBe('PAID');
  });

  it('ends unpaid purchases as FAILED or EXPIRED, each only from where it may happen', async () => {
    const t = createPurchaseTransitions(db);
    const failing = await open();
    await t.markProcessing(failing, 'pi_f');
    expect(await t.markExpired(failing)).toBeNull();
    expect(await t.markFailed(failing, null)).toMatchObject({
      status: 'FAILED',
      paymentId: 'pi_f',
    });
    expect(await t.markProcessing(failing, 'pi_f')).toBeNull();

    const expiring = await open();
    expect(await t.markExpired(expiring)).toMatchObject({ status: 'EXPIRED' });
    expect(await t.markFailed(expiring, null)).toBeNull();
  });

  it('attaches one checkout session to an OPEN purchase only', async () => {
    const t = createPurchaseTransitions(db);
    const id = await open();
    const session = { sessionId: `cs_${randomUUID()}`, url: 'http://pay', expiresAt: new Date() };
    expect(await t.attachCheckout(id, session)).toMatchObject({
      checkoutSessionId: session.sessionId,
      checkoutUrl: 'http://pay',
    });
    // The same session again is fine (a retry); another one is refused.
    expect(await t.attachCheckout(id, session)).not.toBeNull();
    expect(await t.attachCheckout(id, { ...session, sessionId: 'cs_other' })).toBeNull();
  });
});
