import { LRUCache } from 'lru-cache';

/**
 * A bounded in-process cache whose entries live `ttlMs` (lru-cache underneath). A TTL of 0 keeps
 * nothing, so "0 turns the cache off" needs no special case at the call sites.
 */
export function createTtlCache<V extends object>(options: {
  ttlMs: number;
  /** @default 10_000 */
  max?: number;
  /** A test clock in epoch ms. @default Date.now */
  now?: () => number;
}) {
  if (options.ttlMs === 0) {
    return { get: (_key: string): V | undefined => undefined, set: () => {}, delete: () => {} };
  }
  const now = options.now ?? Date.now;
  const cache = new LRUCache<string, V>({
    max: options.max ?? 10_000,
    ttl: options.ttlMs,
    ttlResolution: 0,
    // lru-cache reads an entry started at 0 as having no TTL; a test clock may well start there.
    perf: { now: () => now() + 1 },
  });
  return {
    get: (key: string): V | undefined => cache.get(key),
    set: (key: string, value: V): void => void cache.set(key, value),
    delete: (key: string): void => void cache.delete(key),
  };
}
