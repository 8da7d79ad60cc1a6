import Stripe from 'stripe';
import { codedError, ErrorCode } from '../../../lib/errors.js';

/**
 * A provider call's failure as callers see it: the provider down, slow or overloaded is
 * PAYMENT_PROVIDER_UNAVAILABLE (nothing was charged; retrying with the same key is safe); anything
 * else (a request the provider refused) is our bug and stays an internal error.
 */
export function providerFailure(error: unknown): unknown {
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500)
  ) {
    return codedError(
      ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
      'The payment provider is unavailable; nothing was charged. Try again with the same key.',
    );
  }
  return error;
}

/** Runs a provider call, turning its failure into what callers see (`providerFailure`). */
export async function callProvider<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw providerFailure(error);
  }
}
