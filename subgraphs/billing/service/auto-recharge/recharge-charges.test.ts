import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { runMigrations, type Db } from '../../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { createLogger } from '../../../../lib/logging.js';
import type { AuditClient } from '../../clients/audit-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import { loadBillingSettings } from '../../config.js';
import { createAutoRechargeStore } from '../../store/auto-recharge-store.js';
import { billingMigrations } from '../../store/migrations.js';
import { createPurchaseStore } from '../../store/purchase-store.js';
import { createPurchaseTransitions } from '../../store/purchase-transitions.js';
import { createRechargeStore } from '../../store/recharge-store.js';
import { createPrices } from '../prices.js';
import { attemptKey, createRechargeCharges } from './recharge-charges.js';
import type { AutoRechargeDeps } from './recharge-deps.js';

/** Two replicas' recharge steps on one database, against a fake wallet feed and provider. */
describe.each(STORE_MODES)('recharge steps on two replicas (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  const teamId = randomUUID();
  const crossing = {
    cursor: 'cursor-1',
    id: '1',
    walletId: teamId,
    threshold: '5',
    availableAfter: '4',
  };
  // The provider: one PaymentIntent per idempotency key, as Stripe replays a key's answer.
  const intents = new Map<string, Stripe.PaymentIntent>();
  const calls: Array<[unknown, { idempotencyKey: string }]> = [];
  let refusal: Error | undefined;
  const create = async (params: unknown, options: { idempotencyKey: string }) => {
    calls.push([params, options]);
    if (refusal) throw refusal;
    const key = options.idempotencyKey;
    if (!intents.has(key)) {
      intents.set(key, {
        id: `pi_${intents.size + 1}`,
        status: 'succeeded',
      } as Stripe.PaymentIntent);
    }
    return intents.get(key)!;
  };

  function replica(): ReturnType<typeof createRechargeCharges> {
    const settings = { ...loadBillingSettings({}), rechargeMaxFailures: 2 };
    const deps: AutoRechargeDeps = {
      db,
      stripe: { paymentIntents: { create } } as unknown as Stripe,
      testMode: true,
      wallet: {
        balanceCrossings: async (after: string | null) => ({
          crossings: after === null ? [crossing] : [],
          hasNextPage: false,
        }),
      } as unknown as WalletClient,
      audit: { record: async () => undefined } as unknown as AuditClient,
      prices: createPrices(settings.prices),
      purchases: createPurchaseStore(db),
      settingsStore: createAutoRechargeStore(db),
      recharges: createRechargeStore(db),
      customers: { customerFor: async () => 'cus_1', teamOf: async () => teamId },
      grantPurchase: async () => {
        throw new Error('not granted in these steps');
      },
      transitions: createPurchaseTransitions(db),
      settings,
      metrics: { count: () => undefined },
      logger: createLogger({ service: 'test', level: 'silent' }),
    };
    return createRechargeCharges(deps);
  }

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('billing');
    await runMigrations(db, billingMigrations);
    const settings = createAutoRechargeStore(db);
    await settings.savePaymentMethod(teamId, 'pm_saved');
    await settings.saveSettings({ teamId, enabled: true, thresholdCredits: 5n, amountMinor: 1000 });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('one crossing read by both makes one purchase and one PaymentIntent', async () => {
    const [a, b] = [replica(), replica()];
    const opened = await Promise.all([a.readCrossings('a', 'r'), b.readCrossings('b', 'r')]);
    expect(opened.reduce((x, y) => x + y, 0)).toBe(1);
    await Promise.all([a.chargeDue('r'), b.chargeDue('r'), a.chargeDue('r')]);
    expect(calls).toHaveLength(1);
    expect(calls[0]![1]).toEqual({ idempotencyKey: attemptKey('1', 1) });
    expect(calls[0]![0]).toMatchObject({
      amount: 1000,
      confirm: true,
      off_session: true,
      payment_method: 'pm_saved',
      customer: 'cus_1',
    });
    const { rows } = await db.query<{ kind: string; status: string; payment_id: string }>(
      'SELECT kind, status, payment_id FROM purchases WHERE team_id = $1',
      [teamId],
    );
    expect(rows).toEqual([{ kind: 'AUTO_RECHARGE', status: 'PROCESSING', payment_id: 'pi_1' }]);
  });

  it('counts a PaymentIntent failure once, whether from the answer or the event', async () => {
    const charges = replica();
    const [recharge] = await createRechargeStore(db).openOfTeams([teamId]);
    expect(await charges.recordFailure(recharge!.purchaseId, 'pi_1', 'declined', 'r')).toBe(true);
    expect(await charges.recordFailure(recharge!.purchaseId, 'pi_1', 'declined', 'r')).toBe(false);
    expect(await createAutoRechargeStore(db).byTeam(teamId)).toMatchObject({
      enabled: true,
      consecutiveFailures: 1,
    });
  });

  it('counts a refusal the provider would repeat (a detached method) as a failed attempt', async () => {
    const team = randomUUID();
    const settings = createAutoRechargeStore(db);
    await settings.savePaymentMethod(team, 'pm_detached');
    await settings.saveSettings({
      teamId: team,
      enabled: true,
      thresholdCredits: 5n,
      amountMinor: 1000,
    });
    const purchaseId = randomUUID();
    await createRechargeStore(db).open({
      crossingId: '2',
      teamId: team,
      purchaseId,
      amountMinor: 1000,
      paymentMethodId: 'pm_detached',
    });
    await createPurchaseStore(db).insert({
      id: purchaseId,
      teamId: team,
      kind: 'AUTO_RECHARGE',
      status: 'OPEN',
      currency: 'usd',
      requestedAmountMinor: 1000,
      packId: null,
      idempotencyKey: 'recharge:2',
      requestHash: null,
      createdBy: 'test',
    });
    refusal = Object.assign(new Error('No such PaymentMethod'), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
    await replica().chargeDue('r');
    refusal = undefined;
    expect(await settings.byTeam(team)).toMatchObject({
      consecutiveFailures: 1,
      lastError: 'No such PaymentMethod',
    });
    const [recharge] = await createRechargeStore(db).openOfTeams([team]);
    expect(recharge).toMatchObject({ status: 'DUE', attempts: 1 });
  });
});
