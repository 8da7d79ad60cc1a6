/**
 * The byte budget of persisted queries in the embedded (in-process) store, which has no bound of
 * its own. It remembers each stored document's size in registration order; since every entry
 * lives the same TTL from its registration (a hit does not extend it), that order is also expiry
 * order, so the oldest entries are both the first to expire and the first to go when over budget.
 */
export interface EmbeddedBudget {
  /**
   * Counts a stored entry (again, when re-registered: it moves to the back) and returns the hashes
   * to delete to get back under budget, oldest first.
   */
  admit(hash: string, bytes: number): string[];
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
  const drop = (hash: string) => {
    total -= entries.get(hash)?.bytes ?? 0;
    entries.delete(hash);
  };
  const dropExpired = () => {
    for (const [hash, entry] of entries) {
      if (entry.expiresAt > now()) break;
      drop(hash);
    }
  };

  return {
    admit(hash, bytes) {
      dropExpired();
      drop(hash);
      entries.set(hash, { bytes, expiresAt: now() + options.ttlMs });
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
