import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every API key starts with this, so scanners and people recognise it. */
export const API_KEY_PREFIX = 'mg_';
const API_KEY = /^mg_[A-Za-z0-9_-]{32,64}$/;
const DISPLAY_PREFIX_LENGTH = 12;

export function looksLikeApiKey(token: string): boolean {
  return API_KEY.test(token);
}

/**
 * Keys are 192 random bits, so a plain SHA-256 is a safe way to store them (no salt or slow hash
 * needed: there is no dictionary to attack), and it lets the gateway look a key up by its hash.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface NewApiKey {
  /** Shown to the caller once, never stored. */
  secret: string;
  /** The first characters, stored to help people tell keys apart. */
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const secret = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(secret) };
}

/** Constant-time comparison of a presented key with a configured one (the bootstrap admin key). */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Where the gateway caches what a credential resolved to. Shared by the gateway (reads, fills)
 * and the policy subgraph (deletes on revocation or membership change), across replicas.
 */
export const credentialCacheKey = {
  apiKey: (hash: string) => `auth:{key:${hash}}`,
  user: (subject: string) => `auth:{user:${subject}}`,
};

/**
 * Cached for a credential that resolves to no one. Revocation writes it (without NX) and gateways
 * fill the cache only where nothing is (NX), so a fill racing a revocation cannot resurrect a key.
 */
export const NO_PRINCIPAL = 'null';

/**
 * Cached for a person whose memberships just changed: gateways treat it as a miss and do not fill
 * over it (fills are NX), so a lookup that read the old memberships cannot cache them afterwards.
 */
export const STALE_GRANTS = 'stale';

/** How long a person's team grants are cached by the gateway, and a STALE_GRANTS marker lives. */
export const GRANTS_CACHE_TTL_MS = 30_000;

/** How long a revocation marker outlives any positive cache entry. */
export const REVOCATION_MARKER_TTL_MS = 10 * 60_000;

/**
 * Where the policy subgraph announces a revoked key's hash, after writing its revocation marker,
 * so that every gateway replica drops the copy it keeps in memory.
 */
export const REVOKED_KEYS_CHANNEL = 'auth:revoked-keys';
