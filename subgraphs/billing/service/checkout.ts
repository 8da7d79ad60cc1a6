import { createHash, randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { badUserInput, codedError, ErrorCode } from '../../../lib/errors.js';
import type { PurchaseRow } from '../store/purchase-rows.js';
import type { PurchaseStore } from '../store/purchase-store.js';
import type { PurchaseTransitions } from '../store/purchase-transitions.js';
import type { Prices } from './prices.js';
import { callProvider } from './provider-errors.js';
import type { TeamCustomers } from './team-customers.js';

export interface CheckoutRequest {
  teamId: string;
  amountMinor?: number | null;
  packId?: string | null;
  idempotencyKey: string;
  urls?: { successUrl?: string | null; cancelUrl?: string | null } | null;
  /** Who asks (recorded on the purchase). */
  principalId: string;
}

/** A checkout session as the schema shows it. */
export interface CheckoutView {
  id: string;
  url: string;
  expiresAt: Date;
  testMode: boolean;
  purchase: PurchaseRow;
}

export interface CheckoutDeps {
  stripe: Stripe;
  prices: Prices;
  purchases: PurchaseStore;
  transitions: PurchaseTransitions;
  customers: TeamCustomers;
  settings: { publicUrl: string; checkoutExpiresMinutes: number };
  testMode: boolean;
  /** Where the payer returns when the request names no URL (the provider's, in test mode). */
  returnUrl?: string;
  now: () => Date;
}

/** The provider wants a session to live at least 30 minutes from its creation. */
const MIN_SESSION_SECONDS = 31 * 60;

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * Starts a purchase: the purchase row first (OPEN, keyed by the team's idempotency key), then
 * the team's customer and the provider's Checkout Session, then the session on the row. A
 * failure after the row leaves it OPEN without a session; the retry with the same key finds it
 * and makes the session, under a provider idempotency key derived from the purchase, so a session
 * the provider made before the failure is the one returned.
 */
export function createCheckoutService(deps: CheckoutDeps) {
  const { prices, purchases, transitions } = deps;

  function view(purchase: PurchaseRow): CheckoutView {
    return {
      id: purchase.checkoutSessionId!,
      url: purchase.checkoutUrl!,
      expiresAt: purchase.checkoutExpiresAt!,
      testMode: deps.testMode,
      purchase,
    };
  }

  async function openSession(purchase: PurchaseRow, request: CheckoutRequest, name: string) {
    const customer = await deps.customers.customerFor(purchase.teamId);
    const createdAt = Math.floor(purchase.createdAt.getTime() / 1000);
    const nowSeconds = Math.floor(deps.now().getTime() / 1000);
    let expiresAt = createdAt + deps.settings.checkoutExpiresMinutes * 60;
    // A retry long after the first try: that try's session (if any) is gone with its key.
    if (expiresAt < nowSeconds + MIN_SESSION_SECONDS) {
      expiresAt = nowSeconds + deps.settings.checkoutExpiresMinutes * 60;
    }
    const metadata = { purchaseId: purchase.id, teamId: purchase.teamId };
    const base = deps.settings.publicUrl.replace(/\/$/, '');
    const session = await callProvider(() =>
      deps.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          customer,
          client_reference_id: purchase.id,
          metadata,
          payment_intent_data: { metadata },
          line_items: [
            {
              price_data: {
                currency: purchase.currency,
                unit_amount: purchase.requestedAmountMinor,
                product_data: { name },
              },
              quantity: 1,
            },
          ],
          success_url:
            request.urls?.successUrl ??
            deps.returnUrl ??
            `${base}/billing/checkout/success?purchase=${purchase.id}`,
          cancel_url:
            request.urls?.cancelUrl ??
            deps.returnUrl ??
            `${base}/billing/checkout/cancel?purchase=${purchase.id}`,
          expires_at: expiresAt,
        },
        { idempotencyKey: `checkout:${purchase.id}:${expiresAt}` },
      ),
    );
    if (!session.url) throw new Error(`Checkout Session ${session.id} has no URL.`);
    const attached = await transitions.attachCheckout(purchase.id, {
      sessionId: session.id,
      url: session.url,
      expiresAt: new Date(session.expires_at * 1000),
    });
    if (attached) return attached;
    // Another request for the same key attached its session first (or an event moved it on).
    const [now] = await purchases.byIds([purchase.id]);
    if (now?.checkoutSessionId) return now;
    throw codedError(ErrorCode.CONFLICT, 'The purchase is no longer open.', {
      purchaseId: purchase.id,
      status: now?.status,
    });
  }

  return {
    async createCheckout(request: CheckoutRequest): Promise<CheckoutView> {
      const key = request.idempotencyKey;
      if (key.length < 1 || key.length > 200) {
        throw badUserInput('idempotencyKey must be 1 to 200 characters.', {
          argument: 'idempotencyKey',
        });
      }
      const resolved = prices.resolveRequest(request);
      for (const [argument, url] of Object.entries(request.urls ?? {})) {
        if (url != null && !/^https?:\/\/\S+$/.test(url)) {
          throw badUserInput(`${argument} must be an absolute http(s) URL.`, { argument });
        }
      }
      const requestHash = hashOf({
        teamId: request.teamId,
        amountMinor: resolved.amountMinor,
        packId: resolved.packId,
        successUrl: request.urls?.successUrl ?? null,
        cancelUrl: request.urls?.cancelUrl ?? null,
      });
      const purchase =
        (await purchases.insert({
          id: randomUUID(),
          teamId: request.teamId,
          kind: 'CHECKOUT',
          status: 'OPEN',
          currency: prices.currency,
          requestedAmountMinor: resolved.amountMinor,
          packId: resolved.packId,
          idempotencyKey: key,
          requestHash,
          createdBy: request.principalId,
        })) ?? (await purchases.byKey(request.teamId, key));
      if (!purchase) throw new Error('A purchase keyed so was neither written nor found.');
      if (purchase.requestHash !== requestHash) {
        throw codedError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'This idempotency key was used for a different checkout.',
          { purchaseId: purchase.id },
        );
      }
      if (purchase.checkoutSessionId) return view(purchase);
      return view(await openSession(purchase, request, resolved.name));
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
