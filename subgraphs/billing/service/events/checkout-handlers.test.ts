import type Stripe from 'stripe';
import { silentLogger } from '../../../../test/support/identities.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type { PurchaseTransitions } from '../../store/purchase-transitions.js';
import type { ConfirmedPayment, GrantPurchase } from '../grant-purchase.js';
import { createCheckoutHandlers } from './checkout-handlers.js';

const PURCHASE_ID = '00000000-0000-4000-8000-000000000001';
const TEAM_ID = '00000000-0000-4000-8000-0000000000aa';
const purchase = {
  id: PURCHASE_ID,
  teamId: TEAM_ID,
  status: 'OPEN',
  currency: 'usd',
} as PurchaseRow;

function setup() {
  const grants: ConfirmedPayment[] = [];
  const moves: string[] = [];
  const purchases = {
    byIds: async (ids: readonly string[]) => (ids.includes(PURCHASE_ID) ? [purchase] : []),
    byCheckoutSession: async () => null,
  } as unknown as PurchaseStore;
  const transitions = {
    markProcessing: async (id: string, pi: string | null) => (
      moves.push(`processing ${id} ${pi}`),
      purchase
    ),
    markFailed: async (id: string) => (moves.push(`failed ${id}`), purchase),
    markExpired: async (id: string) => (moves.push(`expired ${id}`), purchase),
  } as unknown as PurchaseTransitions;
  const grantPurchase: GrantPurchase = async (payment) => {
    grants.push(payment);
    return { purchase: { ...purchase, grantedCredits: 5n }, marked: true };
  };
  const handlers = createCheckoutHandlers({ purchases, transitions, grantPurchase });
  const run = (type: Stripe.Event.Type, session: Partial<Stripe.Checkout.Session>) =>
    handlers[type]!(
      {
        id: 'evt_1',
        type,
        data: {
          object: {
            id: 'cs_1',
            mode: 'payment',
            metadata: { purchaseId: PURCHASE_ID, teamId: TEAM_ID },
            payment_intent: 'pi_1',
            amount_total: 1234,
            currency: 'usd',
            ...session,
          },
        },
      } as unknown as Stripe.Event,
      { logger: silentLogger, requestId: 'r' },
    );
  return { grants, moves, run };
}

test('a paid completed session grants the amount the provider confirmed, for its payment', async () => {
  const { grants, run } = setup();
  const result = await run('checkout.session.completed', { payment_status: 'paid' });
  expect(result.outcome).toBe('HANDLED');
  expect(grants).toEqual([
    { purchase, paymentId: 'pi_1', paidAmountMinor: 1234, currency: 'usd', requestId: 'r' },
  ]);
});

test('an unpaid completed session waits; the delayed payment grants or fails it', async () => {
  const { grants, moves, run } = setup();
  await run('checkout.session.completed', { payment_status: 'unpaid' });
  await run('checkout.session.async_payment_failed', { payment_status: 'unpaid' });
  await run('checkout.session.expired', { payment_status: 'unpaid', payment_intent: null });
  expect(moves).toEqual([
    `processing ${PURCHASE_ID} pi_1`,
    `failed ${PURCHASE_ID}`,
    `expired ${PURCHASE_ID}`,
  ]);
  expect(grants).toEqual([]);
  await run('checkout.session.async_payment_succeeded', { payment_status: 'paid' });
  expect(grants).toHaveLength(1);
});

test('sessions that are not our payment checkouts are ignored, and nothing is granted', async () => {
  const { grants, moves, run } = setup();
  const ignored = await Promise.all([
    run('checkout.session.completed', { payment_status: 'paid', mode: 'setup' }),
    run('checkout.session.completed', {
      payment_status: 'paid',
      metadata: { purchaseId: PURCHASE_ID, teamId: '00000000-0000-4000-8000-0000000000bb' },
    }),
    run('checkout.session.completed', {
      payment_status: 'paid',
      metadata: { purchaseId: '00000000-0000-4000-8000-000000000099' },
    }),
    run('checkout.session.completed', { payment_status: 'paid', metadata: { purchaseId: 'x' } }),
    // A paid-looking event without a confirmed amount is not granted.
    run('checkout.session.async_payment_succeeded', { payment_status: 'paid', amount_total: null }),
  ]);
  expect(ignored.map((r) => r.outcome)).toEqual([
    'IGNORED',
    'IGNORED',
    'IGNORED',
    'IGNORED',
    'IGNORED',
  ]);
  expect(grants).toEqual([]);
  expect(moves).toEqual([]);
});
