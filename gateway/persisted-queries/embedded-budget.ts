/**
 * The byte budget of persisted queries in the embedded (in-process) store, which has no bound of
 * its own. It remembers each stored document's size in registration order; since every entry
 * lives the same TTL from its registration (a hit does not extend it), that order is also expiry
 * order, so the oldest entries are both the first to expire and the first to go when over budget.
 */
export interface EmbeddedBudget {
  /**
   * Counts a stored entry (again, when re-registered: it moves to the back) and returns the keys
   * to delete to get back under budget, oldest first.
   */
  admit(key: string, bytes: number): string[];
  /** Total bytes counted now (expired entries no longer count). */
  readonly bytes: number;
}

export function createEmbeddedBudget(options: {
  maxBytes: number;
  ttlMs: number;
  now?: () => number;
}): EmbeddedBudget {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { bytes: number; expiresAt: number }>();
  let total = 0;
  const drop = (key: string) => {
    total -= entries.get(key)?.bytes ?? 0;
    entries.delete(key);
  };
  const dropExpired = () => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > now()) break;
      drop(key);
    }
  };

  return {
    admit(key, bytes) {
      dropExpired();
      drop(key);
      entries.set(key, { bytes, expiresAt: now() + options.ttlMs });
      total += bytes;
      const evicted: string[] = [];
      for (const oldest of entries.keys()) {
        if (total <= options.maxBytes) break;
        drop(oldest);
        evicted.push(oldest);
      }
      return evicted;
    },
    get bytes() {
      dropExpired();
      return total;
    },
  };
}
