/**
 * The Stripe emulator for tests: listening on a free port of 127.0.0.1 with fast webhook retries,
 * plus `stripeClient()`, the real `stripe` SDK pointed at it (no SDK retries, so a test sees each
 * answer as the emulator gave it).
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import {
  createStripeEmulator,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from '../../subgraphs/billing/test-mode/stripe-emulator.js';

export type TestStripeEmulator = StripeEmulator & { stripeClient(): Stripe };

export async function startStripeEmulator(
  options: Partial<StripeEmulatorOptions> = {},
): Promise<TestStripeEmulator> {
  const emulator = createStripeEmulator({
    webhookSecret: `whsec_test_${randomBytes(16).toString('hex')}`,
    retryDelaysMs: [10, 20, 40],
    attemptTimeoutMs: 5_000,
    ...options,
  });
  await emulator.listen(0, '127.0.0.1');
  // Object.assign onto the emulator itself: its `url` and `clock` accessors must stay accessors.
  return Object.assign(emulator, {
    stripeClient: () =>
      new Stripe(options.secretKey ?? 'sk_test_emulator', {
        ...emulator.sdkOptions(),
        maxNetworkRetries: 0,
      }),
  });
}
