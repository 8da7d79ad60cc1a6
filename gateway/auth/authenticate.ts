import { looksLikeApiKey, sameSecret } from '../../lib/auth/api-key.js';
import type { Principal } from '../../lib/auth/principal.js';
import { AuthenticationError } from './errors.js';
import { looksLikeJwt } from './oidc-auth.js';

type Resolve = (token: string, requestId: string) => Promise<Principal>;

/**
 * Turns an `Authorization` header into a Principal: the bootstrap admin key, an API key, or an
 * OIDC token. Anything else is refused: there is no anonymous access.
 */
export function createAuthenticator(deps: {
  adminKey: string | undefined;
  orgId: string;
  apiKey: Resolve;
  oidc: Resolve | undefined;
}) {
  const admin: Principal = {
    id: 'admin',
    kind: 'API_KEY',
    orgId: deps.orgId,
    roles: ['ORG_ADMIN'],
    scopes: [],
    teams: [],
  };
  return async (authorization: string | undefined, requestId: string): Promise<Principal> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new AuthenticationError('Send `Authorization: Bearer <API key or OIDC token>`.');
    }
    const token = match[1] as string;
    if (deps.adminKey && sameSecret(token, deps.adminKey)) return admin;
    if (looksLikeApiKey(token)) return deps.apiKey(token, requestId);
    if (looksLikeJwt(token)) {
      if (!deps.oidc)
        throw new AuthenticationError('OIDC sign-in is not configured on this gateway.');
      return deps.oidc(token, requestId);
    }
    throw new AuthenticationError(
      'The credential is not an API key or a token this gateway accepts.',
    );
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
