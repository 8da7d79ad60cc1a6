/**
 * The whole platform with billing wired to a Stripe emulator: the emulator's API behind billing's
 * provider, and its webhooks POSTed to the gateway's /webhooks/stripe, signed with the secret
 * billing checks them with. `buyCredits` runs a paid checkout through the gateway end to end.
 */
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Scope } from '../../lib/auth/principal.js';
import type { BillingSettings } from '../../subgraphs/billing/config.js';
import type { StripeEmulatorOptions } from '../../subgraphs/billing/test-mode/stripe-emulator.js';
import { createPaymentProvider } from '../../subgraphs/billing/service/payment-provider.js';
import { eventually } from './eventually.js';
import { expectNoErrors } from './graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack, type StackOptions } from './stack.js';
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
  /** Where billing calls the wallet (e.g. through a TcpProxy a test cuts). */
  walletUrl?: (walletUrl: string) => Promise<string> | string;
  /** Where billing calls the provider's API (e.g. through a TcpProxy a test cuts). */
  providerUrl?: (emulatorUrl: string) => Promise<string> | string;
  /** The emulator's options (its webhook retry delays, ...). */
  emulator?: Partial<StripeEmulatorOptions>;
  /** The rest of the stack's options (not `mode` or `billing`). */
  stack?: Omit<StackOptions, 'mode' | 'billing'>;
}

export async function startBillingStack(
  mode: StoreMode,
  options: BillingStackOptions = {},
): Promise<BillingStack> {
  const emulator = await startStripeEmulator(options.emulator);
  let stack: Stack;
  try {
    stack = await startStack({
      ...options.stack,
      mode,
      billing: {
        provider: createPaymentProvider({
          secretKey: 'sk_test_billing_stack',
          webhookSecret: emulator.signingSecret,
          apiUrl: (await options.providerUrl?.(emulator.url)) ?? emulator.url,
          testMode: true,
          maxNetworkRetries: 0,
        }),
        settings: options.settings,
        walletUrl: options.walletUrl,
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

/** createCheckout's input as a test sends it. */
export interface CheckoutInput {
  teamId: string;
  amountMinor?: number;
  packId?: string;
  idempotencyKey: string;
  urls?: { successUrl?: string; cancelUrl?: string };
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
  { input: CheckoutInput }
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
  const createCheckout = await startCheckout(billing, input);
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

/** Starts a checkout through the gateway and answers the session and its purchase. */
export async function startCheckout(
  billing: BillingStack,
  input: { teamId: string; token: string; amountMinor?: number; packId?: string; key?: string },
) {
  const { createCheckout } = expectNoErrors(
    await billing.stack.request(CREATE_CHECKOUT, {
      token: input.token,
      variables: {
        input: {
          teamId: input.teamId,
          ...(input.packId ? { packId: input.packId } : { amountMinor: input.amountMinor ?? 1000 }),
          idempotencyKey: input.key ?? `checkout-${randomUUID()}`,
        },
      },
    }),
  );
  return createCheckout;
}

export interface WalletView {
  balance: { posted: string; available: string };
  transactions: {
    edges: Array<{ node: { kind: string; amount: string; paymentId: string | null } }>;
  };
}

const WALLET = typed<{ team: { wallet: WalletView } }, { id: string }>(
  `query BillingWallet($id: ID!) { team(id: $id) { wallet {
    balance { posted available }
    transactions(first: 20) { edges { node { kind amount paymentId } } }
  } } }`,
);

/** The team's wallet as its reader sees it through the gateway. */
export async function walletOf(billing: BillingStack, teamId: string, token: string) {
  return expectNoErrors(await billing.stack.request(WALLET, { token, variables: { id: teamId } }))
    .team.wallet;
}

export interface PaymentEventView {
  id: string;
  type: string;
  outcome: string;
  deliveries: number;
  detail: string | null;
}

const PAYMENT_EVENTS = typed<
  { paymentEvents: { edges: Array<{ node: PaymentEventView }> } },
  { first: number }
>(`query PaymentEvents($first: Int) { paymentEvents(first: $first) {
  edges { node { id type outcome deliveries detail } } } }`);

/** The provider events billing recorded, newest first (read as an organization admin). */
export async function recordedEvents(billing: BillingStack): Promise<PaymentEventView[]> {
  const data = expectNoErrors(
    await billing.stack.request(PAYMENT_EVENTS, {
      token: TEST_ADMIN_KEY,
      variables: { first: 100 },
    }),
  );
  return data.paymentEvents.edges.map((e) => e.node);
}

/** The emulator's events about one object (a session), oldest first. */
export function eventsAbout(billing: BillingStack, objectId: string) {
  return billing.emulator
    .events()
    .filter((e) => (e.data.object as { id?: string }).id === objectId);
}
