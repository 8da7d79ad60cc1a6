import { REVOKED_KEYS_CHANNEL } from '../../lib/auth/api-key.js';
import type { Kv } from '../../lib/kv/index.js';
import type { KeyLookup } from './policy-client.js';

/** How long a replica reuses a key it resolved before reading the shared cache again. */
export const NEAR_KEY_TTL_MS = 5_000;
/** Most keys one replica keeps; the oldest goes first. */
const NEAR_KEY_MOST = 10_000;

/**
 * What API keys resolved to, kept in this gateway replica's memory for a few seconds so that a
 * busy key costs no round trip to the shared cache per request. Revocation reaches it at once: the
 * policy subgraph announces each revoked key on the store's channel, and the copy is dropped.
 * While the channel is down (or not yet subscribed) nothing is kept and everything kept before is
 * dropped, since an announcement could be missed; and a lookup that was under way when any
 * announcement came is not kept, so a revocation racing a fill cannot be undone by it.
 */
export function createNearKeyCache(kv: Kv, now: () => number) {
  const entries = new Map<string, { lookup: KeyLookup; until: number }>();
  let live = false;
  /** Moves on every announcement and every change of the channel's state. */
  let generation = 0;
  const forget = (hash?: string) => {
    generation += 1;
    if (hash === undefined) entries.clear();
    else entries.delete(hash);
  };
  const unsubscribe = kv.subscribe(REVOKED_KEYS_CHANNEL, {
    message: (hash) => forget(hash),
    live: (up) => {
      live = up;
      forget();
    },
  });

  return {
    get(hash: string): KeyLookup | undefined {
      const entry = entries.get(hash);
      if (entry && entry.until > now()) return entry.lookup;
      if (entry) entries.delete(hash);
      return undefined;
    },
    /** Taken before a lookup starts, and given to `put` with its answer. */
    mark: () => generation,
    put(hash: string, lookup: KeyLookup, ttlMs: number, mark: number): void {
      if (!live || mark !== generation || ttlMs <= 0) return;
      if (entries.size >= NEAR_KEY_MOST) entries.delete(entries.keys().next().value as string);
      entries.set(hash, { lookup, until: now() + Math.min(ttlMs, NEAR_KEY_TTL_MS) });
    },
    close: unsubscribe,
  };
}
