/**
 * The emulator's HTTP surface: `/v1/...` in Stripe's wire format (Bearer `sk_test_` keys, form
 * bodies, `Idempotency-Key`, `Request-Id`, JSON errors), and the TEST MODE checkout page at
 * `/checkout/:id` with its buttons' form posts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue } from '../../../lib/http/headers.js';
import { BodyTooLargeError, readBody, sendJson, sendText } from '../../../lib/http/responses.js';
import type { Logger } from '../../../lib/logging.js';
import type { ApiRouter } from './api-router.js';
import { renderCheckoutPage, runCheckoutAction, escapeHtml } from './checkout-page.js';
import type { CheckoutTransitions } from './checkout-transitions.js';
import { newId } from './emulator-objects.js';
import type { EmulatorState } from './emulator-state.js';
import { FormBodyError, parseFormBody, type FormObject } from './form-body.js';
import type { IdempotencyCache } from './idempotency.js';
import { StripeApiError } from './request-params.js';

const BODY_LIMIT = 1024 * 1024;

export interface EmulatorHttpDeps {
  router: ApiRouter;
  idempotency: IdempotencyCache;
  state: EmulatorState;
  checkout: CheckoutTransitions;
  /** Whether a Bearer key is one this account accepts. */
  acceptsKey: (key: string) => boolean;
  apiVersion: string;
  logger?: Logger;
}

function unauthorized(key: string | undefined): StripeApiError {
  const shown = key
    ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
    : '';
  return new StripeApiError(401, {
    type: 'invalid_request_error',
    message: key
      ? `Invalid API Key provided: ${shown}`
      : 'You did not provide an API key. Provide it as Authorization: Bearer sk_test_...',
  });
}

async function readParams(req: IncomingMessage, query: string): Promise<FormObject> {
  if (req.method === 'GET') return parseFormBody(query);
  const body = (await readBody(req, BODY_LIMIT)).toString('utf8');
  const type = headerValue(req.headers, 'content-type') ?? '';
  if (body && !type.startsWith('application/x-www-form-urlencoded')) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      message: 'Stripe API v1 takes application/x-www-form-urlencoded bodies.',
    });
  }
  return parseFormBody(body);
}

export function createEmulatorHttpHandler(deps: EmulatorHttpDeps) {
  const { router, idempotency, state, checkout } = deps;

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = newId('req');
    const idempotencyKey =
      req.method === 'POST' ? headerValue(req.headers, 'idempotency-key') : undefined;
    const headers: Record<string, string> = {
      'request-id': requestId,
      'stripe-version': headerValue(req.headers, 'stripe-version') ?? deps.apiVersion,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    };
    const method = req.method ?? 'GET';
    const endpoint = `${method} ${url.pathname}`;
    let status = 200;
    let body: unknown;
    let apiKey = '';
    let params: FormObject = {};
    try {
      const bearer = /^Bearer (.+)$/.exec(headerValue(req.headers, 'authorization') ?? '')?.[1];
      if (!bearer || !deps.acceptsKey(bearer)) throw unauthorized(bearer);
      apiKey = bearer;
      params = await readParams(req, url.search.slice(1));
      checkout.sweepExpired();
      const replay = idempotencyKey
        ? idempotency.lookup(apiKey, idempotencyKey, endpoint, params)
        : undefined;
      if (replay) {
        return sendJson(res, replay.status, replay.body, {
          ...headers,
          'idempotent-replayed': 'true',
        });
      }
      const request = { id: requestId, idempotency_key: idempotencyKey ?? null };
      body = router.dispatch(method, url.pathname, params, request);
    } catch (error) {
      if (error instanceof StripeApiError) {
        status = error.status;
        body = { error: error.body };
      } else if (error instanceof FormBodyError) {
        status = 400;
        body = {
          error: { type: 'invalid_request_error', message: error.message, param: error.param },
        };
      } else if (error instanceof BodyTooLargeError) {
        status = 413;
        body = {
          error: { type: 'invalid_request_error', message: 'The request body is too large.' },
        };
      } else {
        deps.logger?.error({ err: error, endpoint }, 'stripe emulator: request failed');
        status = 500;
        body = {
          error: { type: 'api_error', message: 'The Stripe emulator failed: see its log.' },
        };
      }
    }
    if (idempotencyKey && apiKey) {
      idempotency.save(apiKey, idempotencyKey, endpoint, params, { status, body });
    }
    sendJson(res, status, body, headers);
  }

  function htmlPage(res: ServerResponse, status: number, html: string): void {
    sendText(res, status, html, 'text/html; charset=utf-8');
  }

  async function page(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    id: string,
    action?: string,
  ) {
    checkout.sweepExpired();
    const record = state.sessions.get(id);
    if (!record) return htmlPage(res, 404, '<!doctype html><p>No such checkout session.</p>');
    if (req.method === 'GET' && !action) {
      const pi = record.session.payment_intent;
      const piStatus = pi ? state.paymentIntents.get(pi)?.status : undefined;
      const notice = url.searchParams.get('notice') ?? undefined;
      return htmlPage(res, 200, renderCheckoutPage(record, piStatus, notice));
    }
    if (req.method !== 'POST' || !action)
      return htmlPage(res, 405, '<!doctype html><p>Method not allowed.</p>');
    try {
      const form = parseFormBody((await readBody(req, BODY_LIMIT)).toString('utf8'));
      const location = runCheckoutAction(checkout, record, action, form);
      if (!location) return htmlPage(res, 404, '<!doctype html><p>No such action.</p>');
      res.writeHead(303, { location, 'content-length': 0 });
      res.end();
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      const back = `/checkout/${encodeURIComponent(id)}`;
      htmlPage(
        res,
        400,
        `<!doctype html><meta charset="utf-8"><p>${escapeHtml(error.message)}</p>` +
          `<p><a href="${escapeHtml(back)}">Back to the checkout page</a></p>`,
      );
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/v1/')) return api(req, res, url);
    const checkoutPath = /^\/checkout\/([^/]+)(?:\/([a-z-]+))?$/.exec(url.pathname);
    if (checkoutPath)
      return page(req, res, url, decodeURIComponent(checkoutPath[1]), checkoutPath[2]);
    sendText(res, 404, 'Not found', 'text/plain; charset=utf-8');
  };
}
