/**
 * The whole platform with billing wired to a Stripe emulator: the emulator's API behind billing's
 * provider, and its webhooks POSTed to the gateway's /webhooks/stripe, signed with the secret
 * billing checks them with. `buyCredits` runs a paid checkout through the gateway end to end.
 */
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Scope } from '../../lib/auth/principal.js';
import type { BillingSettings } from '../../subgraphs/billing/config.js';
import { createPaymentProvider } from '../../subgraphs/billing/service/payment-provider.js';
import { eventually } from './eventually.js';
import { expectNoErrors } from './graphql-client.js';
import { startStack, type Stack, type StackOptions } from './stack.js';
import { startStripeEmulator, type TestStripeEmulator } from './stripe-emulator.js';
import type { StoreMode } from './test-env.js';
import { typed } from './typed-document.js';

export interface BillingStack {
  stack: Stack;
  emulator: TestStripeEmulator;
  /** The real `stripe` SDK on the emulator (no SDK retries). */
  stripe: Stripe;
  /** A new team and an API key of it holding `scopes` (default: wallet admin and reader). */
  createTeam(
    name: string,
    scopes?: Scope[],
  ): Promise<{ teamId: string; token: string; keyId: string }>;
  stop(): Promise<void>;
}

export interface BillingStackOptions {
  settings?: Partial<BillingSettings>;
  /** The rest of the stack's options (not `mode` or `billing`). */
  stack?: Omit<StackOptions, 'mode' | 'billing'>;
}

export async function startBillingStack(
  mode: StoreMode,
  options: BillingStackOptions = {},
): Promise<BillingStack> {
  const emulator = await startStripeEmulator();
  let stack: Stack;
  try {
    stack = await startStack({
      ...options.stack,
      mode,
      billing: {
        provider: createPaymentProvider({
          secretKey: 'sk_test_billing_stack',
          webhookSecret: emulator.signingSecret,
          apiUrl: emulator.url,
          testMode: true,
          maxNetworkRetries: 0,
        }),
        settings: options.settings,
      },
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  emulator.setWebhookUrl(`${stack.gatewayBase}/webhooks/stripe`);
  return {
    stack,
    emulator,
    stripe: emulator.stripeClient(),
    async createTeam(name, scopes = ['wallet:admin', 'wallet:read', 'models:read']) {
      const { teamId, key, keyId } = await stack.createTeamWithKey(
        `${name} ${randomUUID().slice(0, 8)}`,
        scopes,
      );
      return { teamId, token: key, keyId };
    },
    async stop() {
      await emulator.close();
      await stack.stop();
    },
  };
}

export const CREATE_CHECKOUT = typed<
  {
    createCheckout: {
      id: string;
      url: string;
      expiresAt: string;
      testMode: boolean;
      purchase: { id: string; status: string; requestedAmountMinor: number };
    };
  },
  {
    input: {
      teamId: string;
      amountMinor?: number;
      packId?: string;
      idempotencyKey: string;
      urls?: { successUrl?: string; cancelUrl?: string };
    };
  }
>(`mutation CreateCheckout($input: CreateCheckoutInput!) {
  createCheckout(input: $input) {
    id url expiresAt testMode purchase { id status requestedAmountMinor }
  }
}`);

export interface PurchaseView {
  id: string;
  teamId: string;
  kind: string;
  status: string;
  currency: string;
  requestedAmountMinor: number;
  paidAmountMinor: number | null;
  credits: string | null;
  packId: string | null;
  paymentId: string | null;
  grantTransactionId: string | null;
}

export const PURCHASE = typed<{ purchase: PurchaseView | null }, { id: string }>(
  `query Purchase($id: ID!) { purchase(id: $id) {
    id teamId kind status currency requestedAmountMinor paidAmountMinor credits packId paymentId
    grantTransactionId
  } }`,
);

/** Waits until the purchase (read through the gateway with `token`) satisfies `done`. */
export async function purchaseWhen(
  billing: BillingStack,
  purchaseId: string,
  token: string,
  done: (purchase: PurchaseView) => boolean,
  what = 'the purchase reaches the expected state',
): Promise<PurchaseView> {
  return eventually(
    what,
    async () => {
      const { purchase } = expectNoErrors(
        await billing.stack.request(PURCHASE, { token, variables: { id: purchaseId } }),
      );
      return purchase && done(purchase) ? purchase : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
}

/**
 * Buys credits as a team admin would: a checkout through the gateway, paid at the emulator, and
 * waits until the webhook made the purchase PAID. Returns what the platform recorded.
 */
export async function buyCredits(
  billing: BillingStack,
  input: { teamId: string; amountMinor: number; token: string },
): Promise<{ purchaseId: string; paymentId: string; credits: bigint; sessionId: string }> {
  const { createCheckout } = expectNoErrors(
    await billing.stack.request(CREATE_CHECKOUT, {
      token: input.token,
      variables: {
        input: {
          teamId: input.teamId,
          amountMinor: input.amountMinor,
          idempotencyKey: `buy-${randomUUID()}`,
        },
      },
    }),
  );
  billing.emulator.completeCheckout(createCheckout.id, { outcome: 'paid' });
  const paid = await purchaseWhen(
    billing,
    createCheckout.purchase.id,
    input.token,
    (p) => p.status === 'PAID',
    `purchase ${createCheckout.purchase.id} is PAID`,
  );
  return {
    purchaseId: paid.id,
    paymentId: paid.paymentId as string,
    credits: BigInt(paid.credits as string),
    sessionId: createCheckout.id,
  };
}
