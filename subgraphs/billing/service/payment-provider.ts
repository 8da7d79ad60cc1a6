import Stripe from 'stripe';

/** The payment provider as billing uses it: the API client and what checks its webhooks. */
export interface PaymentProvider {
  stripe: Stripe;
  webhookSecret: string;
  /** True for the local test-mode provider (`npm start` without a key): no real money moves. */
  testMode: boolean;
  /**
   * Where the payer returns after a checkout when the caller names no URL (`{CHECKOUT_SESSION_ID}`
   * is filled in by the provider). @default the platform's own pages under BILLING_PUBLIC_URL
   */
  returnUrl?: string;
}

/**
 * The provider's API client. `apiUrl` points it at another host (a proxy, or the test-mode
 * emulator); the library's own retries (with its idempotency keys) cover transient failures.
 */
export function createPaymentProvider(settings: {
  secretKey: string;
  webhookSecret: string;
  apiUrl?: string;
  testMode?: boolean;
  /** @default 2 */
  maxNetworkRetries?: number;
}): PaymentProvider {
  const url = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
  const protocol = url?.protocol === 'http:' ? 'http' : 'https';
  const stripe = new Stripe(settings.secretKey, {
    maxNetworkRetries: settings.maxNetworkRetries ?? 2,
    timeout: 10_000,
    appInfo: { name: 'modelgraph-billing' },
    ...(url
      ? {
          host: url.hostname,
          port: Number(url.port || (protocol === 'http' ? 80 : 443)),
          protocol,
        }
      : {}),
  });
  return { stripe, webhookSecret: settings.webhookSecret, testMode: settings.testMode ?? false };
}
