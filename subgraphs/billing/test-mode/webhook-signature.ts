/**
 * Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `${t}.${payload}`, keyed with the endpoint's whole signing secret (`whsec_...` included), which
 * is what `stripe.webhooks.constructEvent` checks.
 */
import { createHmac } from 'node:crypto';

/**
 * The `Stripe-Signature` header for `payload` (the exact bytes sent). Tests sign with another
 * secret or an old timestamp to check that a receiver refuses them.
 */
export function signPayload(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestampSeconds}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
