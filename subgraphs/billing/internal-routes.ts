import type { InternalTokenVerifier } from '../../lib/auth/internal-token.js';
import type { Routes } from '../../lib/http/http-server.js';
import { RouteRefusal, internalRoute } from '../../lib/subgraph/internal-route.js';
import { RejectedDelivery, type EventIngestion } from './service/events/ingest-event.js';

/** The paths the gateway calls on billing. */
export const BILLING_INTERNAL_PATHS = {
  /** One webhook delivery from the payment provider, as the gateway received it. */
  providerWebhook: '/internal/provider-webhook',
} as const;

/** The provider's events run larger than internal calls; the gateway limits what it forwards. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Billing's service face: the gateway forwards each webhook delivery here (the raw payload as
 * text and the signature header), because only billing holds the webhook secret. 200 once the
 * event is durably dealt with; 400 for a delivery that is not correctly signed; 5xx (thrown) when
 * acting on it failed, so the provider retries.
 */
export function createBillingInternalRoutes(
  verifier: InternalTokenVerifier,
  ingest: EventIngestion | undefined,
): Routes {
  return {
    [BILLING_INTERNAL_PATHS.providerWebhook]: {
      POST: internalRoute(
        verifier,
        async (body, _claims, ctx) => {
          if (!ingest) {
            throw new RouteRefusal(404, 'NOT_FOUND', 'No payment provider is configured.');
          }
          const payload = typeof body.payload === 'string' ? body.payload : '';
          const signature = typeof body.signature === 'string' ? body.signature : undefined;
          try {
            return await ingest(payload, signature, ctx.requestId);
          } catch (error) {
            if (error instanceof RejectedDelivery) {
              throw new RouteRefusal(400, 'BAD_REQUEST', error.message);
            }
            throw error;
          }
        },
        { bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES + 64 * 1024 },
      ),
    },
  };
}
