import type { Logger } from '../../lib/logging.js';
import type { OidcConfig } from '../config.js';

/** What the console's sign-in screen offers, as GET /console/config.json tells it (decision 94). */
export type ConsoleSignIn =
  | { sso: null }
  /** OIDC sign-in is configured, but the identity provider's discovery document cannot be read. */
  | { sso: { status: 'unavailable' } }
  | {
      sso: {
        status: 'available';
        issuer: string;
        authorizationEndpoint: string;
        tokenEndpoint: string;
        clientId: string;
        scopes: string;
        /** null: `<the console's origin>/console/callback`. */
        redirectUri: string | null;
        /** The `aud` the gateway accepts: the console sends the token that carries it. */
        audience: string;
      };
    };

/** How long discovered endpoints are used before they are read again. */
const FRESH_MS = 60 * 60 * 1000;
/** How long a failed discovery is remembered before the next request tries again. */
const RETRY_MS = 30 * 1000;
const TIMEOUT_MS = 5_000;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An endpoint the browser may be sent to: https (http only on a loopback host, for development),
 * no credentials, no fragment, and nothing that would break out of a CSP source expression.
 */
function endpoint(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new Error(`${name} is missing`);
  const url = new URL(value);
  const secure =
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!secure) throw new Error(`${name} must use https: ${value}`);
  if (url.username || url.password || url.hash || /[\s;,'"]/.test(value)) {
    throw new Error(`${name} is not a plain URL: ${value}`);
  }
  return url.href;
}

/**
 * The console's OIDC sign-in settings: the gateway reads the issuer's discovery document itself
 * (it must know the token endpoint anyway, to allow it in the console's CSP), keeps it for an
 * hour (serving the last good one while it reads it again, and when that fails).
 */
export function createConsoleSignIn(
  oidc: OidcConfig | undefined,
  deps: { logger: Logger; fetch?: typeof fetch; now?: () => number },
): () => Promise<ConsoleSignIn> {
  const client = oidc?.console;
  if (!oidc || !client) return async () => ({ sso: null });
  const get = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const discoveryUrl = `${oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let known: { value: ConsoleSignIn; until: number } | undefined;
  let inFlight: Promise<ConsoleSignIn> | undefined;

  const discover = async (): Promise<ConsoleSignIn> => {
    try {
      const response = await get(discoveryUrl, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as Record<string, unknown>;
      // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was read from.
      if (document.issuer !== oidc.issuer) {
        throw new Error(`issuer ${String(document.issuer)} is not ${oidc.issuer}`);
      }
      const methods = document.code_challenge_methods_supported;
      if (Array.isArray(methods) && !methods.includes('S256')) {
        throw new Error('the provider does not offer PKCE with S256');
      }
      const value: ConsoleSignIn = {
        sso: {
          status: 'available',
          issuer: oidc.issuer,
          authorizationEndpoint: endpoint(
            document.authorization_endpoint,
            'authorization_endpoint',
          ),
          tokenEndpoint: endpoint(document.token_endpoint, 'token_endpoint'),
          clientId: client.clientId,
          scopes: client.scopes,
          redirectUri: client.redirectUri ?? null,
          audience: oidc.audience,
        },
      };
      known = { value, until: now() + FRESH_MS };
      return value;
    } catch (error) {
      deps.logger.warn(
        { err: error, discoveryUrl },
        'console SSO unavailable: the OIDC discovery document cannot be used',
      );
      if (known?.value.sso?.status === 'available') {
        known = { value: known.value, until: now() + RETRY_MS };
      } else {
        known = { value: { sso: { status: 'unavailable' } }, until: now() + RETRY_MS };
      }
      return known.value;
    }
  };

  return async () => {
    if (known && known.until > now()) return known.value;
    inFlight ??= discover().finally(() => (inFlight = undefined));
    // Stale while it refreshes: only a gateway that never read the document makes a page wait.
    if (known?.value.sso?.status === 'available') return known.value;
    return inFlight;
  };
}
