import { randomBytes } from 'node:crypto';
import type { Logger } from '../lib/logging.js';
import {
  createPaymentProvider,
  type PaymentProvider,
} from '../subgraphs/billing/service/payment-provider.js';
import { createStripeEmulator } from '../subgraphs/billing/test-mode/stripe-emulator.js';

/**
 * The local TEST MODE payment provider `npm start` runs when no STRIPE_SECRET_KEY is set: the
 * Stripe emulator in this process, serving its checkout page (marked TEST MODE) and sending its
 * events, signed, to the gateway's /webhooks/stripe, the path real events take. So a newcomer
 * buys credits end to end offline; no card data is asked for and no money moves. Its keys are
 * made at every start and never printed.
 */
export async function startTestModePayments(options: {
  /** 0: any free port. */
  port: number;
  host: string;
  logger: Logger;
}) {
  const secretKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const emulator = createStripeEmulator({
    secretKey,
    webhookSecret,
    logger: options.logger,
  });
  await emulator.listen(options.port, options.host);
  const provider: PaymentProvider = {
    ...createPaymentProvider({ secretKey, webhookSecret, apiUrl: emulator.url, testMode: true }),
    // The page shows the session's outcome; there is no merchant site to return to.
    returnUrl: `${emulator.url}/checkout/{CHECKOUT_SESSION_ID}`,
  };
  return {
    provider,
    /** Where its checkout pages are. */
    url: emulator.url,
    /** Sends its events to the gateway at `gatewayUrl`. */
    deliverTo(gatewayUrl: string): void {
      emulator.setWebhookUrl(`${gatewayUrl}/webhooks/stripe`);
    },
    close: () => emulator.close(),
  };
}
