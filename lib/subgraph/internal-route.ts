import {
  INTERNAL_TOKEN_HEADER,
  type InternalClaims,
  type InternalTokenVerifier,
} from '../auth/internal-token.js';
import type { RouteContext, RouteHandler } from '../http/http-server.js';
import { readBody, sendError, sendJson } from '../http/responses.js';

const INTERNAL_BODY_LIMIT = 64 * 1024;

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
      body = JSON.parse((await readBody(ctx.req, INTERNAL_BODY_LIMIT)).toString('utf8'));
    } catch {
      return sendError(ctx.res, 400, 'BAD_REQUEST', 'The body must be a JSON object.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(ctx.res, 400, 'BAD_REQUEST', 'The body must be a JSON object.');
    }
    sendJson(ctx.res, 200, await handle(body as Record<string, unknown>, claims, ctx));
  };
}
