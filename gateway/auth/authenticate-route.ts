import type { Principal } from '../../lib/auth/principal.js';
import type { RouteContext } from '../../lib/http/http-server.js';
import { sendError } from '../../lib/http/responses.js';
import { AuthenticationError, AuthenticationUnavailableError } from './errors.js';

export type Authenticate = (
  authorization: string | undefined,
  requestId: string,
) => Promise<Principal>;

/**
 * The caller of a bearer-authenticated route, or undefined once the refusal is answered: 401 with
 * `www-authenticate` for a missing or bad credential, 503 with `retry-after` when the key store
 * cannot be asked. Anything else is the route's failure and is thrown.
 */
export async function authenticateRoute(
  authenticate: Authenticate,
  ctx: RouteContext,
): Promise<Principal | undefined> {
  try {
    return await authenticate(ctx.req.headers.authorization, ctx.requestId);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      sendError(ctx.res, 401, 'UNAUTHENTICATED', error.message, { 'www-authenticate': 'Bearer' });
      return undefined;
    }
    if (error instanceof AuthenticationUnavailableError) {
      sendError(ctx.res, 503, 'SERVICE_UNAVAILABLE', error.message, { 'retry-after': '1' });
      return undefined;
    }
    throw error;
  }
}
