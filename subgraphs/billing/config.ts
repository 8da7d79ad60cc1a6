import { z } from 'zod';
import { flag, optionalString, optionalUrl, parseConfig, requiredPem } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';
import { parsePacks, type PriceSettings } from './service/prices.js';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** What credits cost and how billing's workers run: the variables only billing reads. */
const BillingSettingsEnv = z
  .object({
    /** The public gateway's base URL: the default return pages and the CSV links start here. */
    BILLING_PUBLIC_URL: z.url().default('http://127.0.0.1:4000'),
    BILLING_CURRENCY: z
      .string()
      .regex(/^[a-z]{3}$/, 'an ISO 4217 code in lower case, e.g. usd')
      .default('usd'),
    /** Credits one whole currency unit buys, as a decimal (e.g. 1 or 0.5). */
    BILLING_CREDITS_PER_UNIT: z
      .string()
      .regex(/^\d+(\.\d{1,6})?$/, 'a decimal with at most 6 places')
      .default('1'),
    BILLING_MIN_PURCHASE_MINOR: positiveInt(500),
    BILLING_MAX_PURCHASE_MINOR: positiveInt(1_000_000),
    /** Packs as `id:name:amountMinor` separated by commas. */
    BILLING_PACKS: z.string().default('starter:Starter:1000,team:Team:10000,scale:Scale:100000'),
    /** How long a checkout accepts payment, in minutes (the provider allows 30 to 1440). */
    BILLING_CHECKOUT_EXPIRES_MINUTES: z.coerce.number().int().min(30).max(1440).default(60),
    /** How often the auto-recharge worker looks for low balances and due retries. */
    BILLING_RECHARGE_POLL_MS: positiveInt(1_000),
    /** Failed recharges in a row before auto-recharge is turned off. */
    BILLING_RECHARGE_MAX_FAILURES: positiveInt(3),
    /** Waits before retrying a failed recharge, in ms, comma-separated; the last one repeats. */
    BILLING_RECHARGE_RETRY_DELAYS_MS: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'milliseconds separated by commas, e.g. 60000,300000')
      .default('60000,300000,1800000'),
    /** Reconciliation runs this often, comparing the last BILLING_RECONCILE_WINDOW_HOURS; 0: never. */
    BILLING_RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(60),
    BILLING_RECONCILE_WINDOW_HOURS: positiveInt(72),
    /** Suspend a wallet's spending when a refund or a lost dispute leaves credits owed. */
    BILLING_SUSPEND_ON_OWED: flag(false),
  })
  .refine((env) => env.BILLING_MIN_PURCHASE_MINOR <= env.BILLING_MAX_PURCHASE_MINOR, {
    path: ['BILLING_MIN_PURCHASE_MINOR'],
    message: 'must not exceed BILLING_MAX_PURCHASE_MINOR',
  });

const BillingEnv = subgraphEnv(4005)
  .extend({
    MODELGRAPH_INTERNAL_PRIVATE_KEY: requiredPem(
      'PRIVATE KEY',
      'the PKCS#8 PEM billing signs its own calls to the wallet and policy with',
    ),
    WALLET_URL: z.url().default('http://127.0.0.1:4003/graphql'),
    POLICY_URL: z.url().default('http://127.0.0.1:4004/graphql'),
    /** The provider's secret key; unset outside production means the local test-mode provider. */
    STRIPE_SECRET_KEY: optionalString,
    /** The webhook endpoint's signing secret (whsec_...). */
    STRIPE_WEBHOOK_SECRET: optionalString,
    /** Where the provider's API is, when not api.stripe.com (a proxy, or an emulator). */
    STRIPE_API_URL: optionalUrl,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.STRIPE_SECRET_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_SECRET_KEY'],
        message: 'required in production (without it, only the local test-mode provider runs)',
      });
    }
    if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_WEBHOOK_SECRET'],
        message: 'required with STRIPE_SECRET_KEY: events are only accepted signed',
      });
    }
  });

/** Billing's prices and worker settings from BILLING_* variables (defaults for the rest). */
export function loadBillingSettings(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(BillingSettingsEnv, env);
  const prices: PriceSettings = {
    currency: e.BILLING_CURRENCY,
    creditsPerUnit: e.BILLING_CREDITS_PER_UNIT,
    minimumAmountMinor: e.BILLING_MIN_PURCHASE_MINOR,
    maximumAmountMinor: e.BILLING_MAX_PURCHASE_MINOR,
    packs: parsePacks(e.BILLING_PACKS),
  };
  return {
    publicUrl: e.BILLING_PUBLIC_URL,
    prices,
    checkoutExpiresMinutes: e.BILLING_CHECKOUT_EXPIRES_MINUTES,
    rechargePollMs: e.BILLING_RECHARGE_POLL_MS,
    rechargeMaxFailures: e.BILLING_RECHARGE_MAX_FAILURES,
    rechargeRetryDelaysMs: e.BILLING_RECHARGE_RETRY_DELAYS_MS.split(',').map(Number),
    reconcileIntervalMinutes: e.BILLING_RECONCILE_INTERVAL_MINUTES,
    reconcileWindowHours: e.BILLING_RECONCILE_WINDOW_HOURS,
    suspendOnOwed: e.BILLING_SUSPEND_ON_OWED,
  };
}

export type BillingSettings = ReturnType<typeof loadBillingSettings>;

export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(BillingEnv, env);
  return {
    ...subgraphSettings('billing', e),
    internalPrivateKeyPem: e.MODELGRAPH_INTERNAL_PRIVATE_KEY,
    services: { wallet: e.WALLET_URL, policy: e.POLICY_URL },
    provider: e.STRIPE_SECRET_KEY
      ? {
          secretKey: e.STRIPE_SECRET_KEY,
          webhookSecret: e.STRIPE_WEBHOOK_SECRET as string,
          apiUrl: e.STRIPE_API_URL,
        }
      : undefined,
    settings: loadBillingSettings(env),
  };
}

export type BillingConfig = ReturnType<typeof loadBillingConfig>;
export type ProviderSettings = NonNullable<BillingConfig['provider']>;
