import {
  INTERNAL_TOKEN_HEADER,
  type InternalClaims,
  type InternalTokenVerifier,
} from '../auth/internal-token.js';
import type { RouteContext, RouteHandler } from '../http/http-server.js';
import { readBody, sendError, sendJson } from '../http/responses.js';

const INTERNAL_BODY_LIMIT = 64 * 1024;

/**
 * A refusal an internal route answers with its own status (4xx) instead of 200: the caller's
 * request was wrong, and retrying it as it is will not help.
 */
export class RouteRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A JSON endpoint for the platform's own services (not part of the graph): only a valid internal
 * token whose principal is a SERVICE gets in.
 */
export function internalRoute(
  verifier: InternalTokenVerifier,
  handle: (
    body: Record<string, unknown>,
    claims: InternalClaims,
    ctx: RouteContext,
  ) => Promise<unknown>,
  options: {
    /** The largest body accepted. @default 65536 */
    bodyLimitBytes?: number;
  } = {},
): RouteHandler {
  return async (ctx) => {
    let claims: InternalClaims;
    try {
      const header = ctx.req.headers[INTERNAL_TOKEN_HEADER];
      claims = await verifier.verify(Array.isArray(header) ? header[0] : header);
    } catch {
      return sendError(
        ctx.res,
        401,
        'UNAUTHENTICATED',
        'Internal endpoints need an internal token.',
      );
    }
    if (claims.principal.kind !== 'SERVICE') {
      return sendError(ctx.res, 403, 'FORBIDDEN', 'Internal endpoints are for services only.');
    }
    let body: unknown;
    try {
      const limit = options.bodyLimitBytes ?? INTERNAL_BODY_LIMIT;
      body = JSON.parse((await readBody(ctx.req, limit)).toString('utf8'));
    } catch {
      return sendError(ctx.res, 400, 'BAD_REQUEST', 'The body must be a JSON object.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(ctx.res, 400, 'BAD_REQUEST', 'The body must be a JSON object.');
    }
    let answer: unknown;
    try {
      answer = await handle(body as Record<string, unknown>, claims, ctx);
    } catch (error) {
      if (!(error instanceof RouteRefusal)) throw error;
      return sendError(ctx.res, error.status, error.code, error.message);
    }
    sendJson(ctx.res, 200, answer);
  };
}
