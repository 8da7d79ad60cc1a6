import { NO_PRINCIPAL, credentialCacheKey, hashApiKey } from '../../lib/auth/api-key.js';
import type { Principal } from '../../lib/auth/principal.js';
import type { Kv } from '../../lib/kv/index.js';
import type { Logger } from '../../lib/logging.js';
import type { CacheLookups } from '../../lib/metrics.js';
import { AuthenticationError, AuthenticationUnavailableError } from './errors.js';
import { createNearKeyCache } from './near-key-cache.js';
import type { KeyLookup, PolicyClient } from './policy-client.js';

/** How long a resolved key is trusted without asking the key store again. */
export const KEY_CACHE_TTL_MS = 30_000;
/** How long an unknown key is remembered as unknown (slows down guessing against the store). */
export const UNKNOWN_KEY_CACHE_TTL_MS = 5_000;

const REFUSED = 'The API key is invalid, revoked or expired.';

/**
 * API keys resolve through a cache shared by every gateway replica, filled from the policy
 * subgraph's key store, with a few seconds' copy in each replica's memory in front of it
 * (near-key-cache.ts). Revocation overwrites the shared entry and announces the key, which drops
 * every replica's copy (api-key-service.ts), and fills never overwrite, so a revoked key stops
 * working on every replica at once.
 */
export function createApiKeyAuthenticator(deps: {
  kv: Kv;
  policy: PolicyClient;
  logger: Logger;
  /** Counts the key caches' hits and misses (`api_key_near`: this replica's, `api_key`: shared). */
  lookups?: CacheLookups;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const near = createNearKeyCache(deps.kv, now);

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

  /** How long a lookup may be cached: never past the key's expiry. */
  const ttlOf = (lookup: KeyLookup) => {
    const untilExpiry = lookup.expiresAt ? Date.parse(lookup.expiresAt) - now() : Infinity;
    return lookup.principal ? Math.min(KEY_CACHE_TTL_MS, untilExpiry) : UNKNOWN_KEY_CACHE_TTL_MS;
  };

  const fill = async (cacheKey: string, lookup: KeyLookup) => {
    const ttlMs = ttlOf(lookup);
    if (ttlMs <= 0) return;
    const value = lookup.principal ? JSON.stringify(lookup) : NO_PRINCIPAL;
    await deps.kv.set(cacheKey, value, { ttlMs, onlyIfAbsent: true }).catch(() => undefined);
  };

  const authenticate = async (secret: string, requestId: string): Promise<Principal> => {
    const hash = hashApiKey(secret);
    const mark = near.mark();
    const kept = near.get(hash);
    deps.lookups?.('api_key_near', kept ? 1 : 0, kept ? 0 : 1);
    const lookup = kept ?? (await lookUp(hash, requestId));
    if (!kept) near.put(hash, lookup, ttlOf(lookup), mark);
    if (!lookup.principal) throw new AuthenticationError(REFUSED);
    if (lookup.expiresAt && Date.parse(lookup.expiresAt) <= now())
      throw new AuthenticationError(REFUSED);
    return lookup.principal;
  };

  /** The shared cache's answer, or the key store's (which then fills the shared cache). */
  async function lookUp(hash: string, requestId: string): Promise<KeyLookup> {
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
    return lookup;
  }

  return Object.assign(authenticate, { close: near.close });
}
