import { NO_PRINCIPAL, credentialCacheKey, hashApiKey } from '../../lib/auth/api-key.js';
import type { Principal } from '../../lib/auth/principal.js';
import type { Kv } from '../../lib/kv/index.js';
import type { Logger } from '../../lib/logging.js';
import type { CacheLookups } from '../../lib/metrics.js';
import { AuthenticationError, AuthenticationUnavailableError } from './errors.js';
import type { KeyLookup, PolicyClient } from './policy-client.js';

/** How long a resolved key is trusted without asking the key store again. */
export const KEY_CACHE_TTL_MS = 30_000;
/** How long an unknown key is remembered as unknown (slows down guessing against the store). */
export const UNKNOWN_KEY_CACHE_TTL_MS = 5_000;

const REFUSED = 'The API key is invalid, revoked or expired.';

/**
 * API keys resolve through a cache shared by every gateway replica, filled from the policy
 * subgraph's key store. Revocation overwrites the cache entry (see policy-service.ts), and fills
 * never overwrite, so a revoked key stops working on every replica at once.
 */
export function createApiKeyAuthenticator(deps: {
  kv: Kv;
  policy: PolicyClient;
  logger: Logger;
  /** Counts the key cache's hits and misses (cache `api_key`). */
  lookups?: CacheLookups;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;

  const fromCache = async (cacheKey: string): Promise<KeyLookup | 'miss'> => {
    try {
      const cached = await deps.kv.get(cacheKey);
      if (cached === null) return 'miss';
      return cached === NO_PRINCIPAL
        ? { principal: null, expiresAt: null }
        : (JSON.parse(cached) as KeyLookup);
    } catch (error) {
      deps.logger.warn({ err: error }, 'credential cache unavailable; asking the key store');
      return 'miss';
    }
  };

  const fill = async (cacheKey: string, lookup: KeyLookup) => {
    const untilExpiry = lookup.expiresAt ? Date.parse(lookup.expiresAt) - now() : Infinity;
    const ttlMs = lookup.principal
      ? Math.min(KEY_CACHE_TTL_MS, untilExpiry)
      : UNKNOWN_KEY_CACHE_TTL_MS;
    if (ttlMs <= 0) return;
    const value = lookup.principal ? JSON.stringify(lookup) : NO_PRINCIPAL;
    await deps.kv.set(cacheKey, value, { ttlMs, onlyIfAbsent: true }).catch(() => undefined);
  };

  return async (secret: string, requestId: string): Promise<Principal> => {
    const hash = hashApiKey(secret);
    const cacheKey = credentialCacheKey.apiKey(hash);
    let lookup = await fromCache(cacheKey);
    deps.lookups?.('api_key', lookup === 'miss' ? 0 : 1, lookup === 'miss' ? 1 : 0);
    if (lookup === 'miss') {
      try {
        lookup = await deps.policy.authenticateKey(hash, requestId);
      } catch (error) {
        deps.logger.error({ err: error }, 'key store unreachable');
        throw new AuthenticationUnavailableError(
          'Credentials cannot be checked right now; try again.',
        );
      }
      await fill(cacheKey, lookup);
    }
    if (!lookup.principal) throw new AuthenticationError(REFUSED);
    if (lookup.expiresAt && Date.parse(lookup.expiresAt) <= now())
      throw new AuthenticationError(REFUSED);
    return lookup.principal;
  };
}
