import type { RouteHandler } from '../../lib/http/http-server.js';
import { headerValue } from '../../lib/http/headers.js';
import { BodyTooLargeError, readBody, sendError, sendJson } from '../../lib/http/responses.js';
import { ServiceRequestError, type ServiceClient } from '../../lib/service-client.js';
import {
  BILLING_INTERNAL_PATHS,
  WEBHOOK_BODY_LIMIT_BYTES,
} from '../../subgraphs/billing/internal-routes.js';

/** Where the payment provider posts its events (configure this URL at the provider). */
export const PROVIDER_WEBHOOK_PATH = '/webhooks/stripe';

/**
 * The payment provider's door into the platform: no bearer (the provider signs instead), and
 * nothing behind it but billing's webhook route. The raw body goes to billing untouched, with
 * the signature header, because the signature covers the exact bytes and only billing holds the
 * secret. The provider retries anything but a 2xx, so billing's answer is passed on as it is: 200
 * once the event is durably dealt with, 400 for a bad or stale signature, 503 when billing could
 * not deal with it now. The payload is never logged.
 */
export function providerWebhookRoute(options: {
  billingGraphqlUrl: () => string | undefined;
  services: ServiceClient;
}): RouteHandler {
  return async ({ req, res, requestId, logger }) => {
    const billingUrl = options.billingGraphqlUrl();
    if (!billingUrl) return sendError(res, 404, 'NOT_FOUND', 'Billing is not in the supergraph.');
    let payload: string;
    try {
      payload = (await readBody(req, WEBHOOK_BODY_LIMIT_BYTES)).toString('utf8');
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendError(res, 413, 'BAD_REQUEST', 'The event is too large.');
      }
      throw error;
    }
    const signature = headerValue(req.headers, 'stripe-signature');
    try {
      const outcome = await options.services.post<{ outcome: string }>(
        new URL(BILLING_INTERNAL_PATHS.providerWebhook, billingUrl).toString(),
        { payload, signature },
        requestId,
      );
      sendJson(res, 200, { received: true, outcome: outcome.outcome });
    } catch (error) {
      if (error instanceof ServiceRequestError && error.status < 500) {
        return sendError(res, error.status, 'BAD_REQUEST', 'The event was not accepted.');
      }
      logger.warn({ err: error }, 'billing could not take a provider event; it will be retried');
      sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Try again later.', { 'retry-after': '5' });
    }
  };
}
