import { createHash } from 'node:crypto';
import type { Kv } from '../../../../lib/kv/index.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Entry<T> =
  { state: 'PENDING'; fingerprint: string } | { state: 'DONE'; fingerprint: string; result: T };

export type IdempotencyClaim<T> =
  /** First time: run the request, then `complete` or `release`. */
  | { kind: 'NEW' }
  /** Already answered: return this. */
  | { kind: 'DONE'; result: T }
  /** The same key is running right now. */
  | { kind: 'IN_PROGRESS' }
  /** The key was used for a different request. */
  | { kind: 'MISMATCH' };

/**
 * Caller-chosen idempotency keys for generations, per team, in the shared store (so a retry that
 * lands on another replica finds the answer). A claim is written only if absent; a finished
 * request's answer is kept for `ttlSeconds`; a failed one releases its key so a retry runs anew.
 * The wallet's own idempotency (the holds' keys derive from this one) backs it up: even with this
 * record lost, a retry can never charge twice (see saga/credit-reservation.ts).
 */
export function createIdempotencyStore(kv: Kv, options: { ttlSeconds: number }) {
  const keyOf = (teamId: string, key: string) =>
    `idem:{team:${encodeURIComponent(teamId)}}:${sha256(key)}`;

  return {
    /**
     * Claims `key` for a run, or says why not. The claim lapses after `pendingTtlMs` (a crashed
     * run): give it at least as long as the run's hold lives.
     */
    async claim<T>(
      teamId: string,
      key: string,
      fingerprint: string,
      pendingTtlMs: number,
    ): Promise<IdempotencyClaim<T>> {
      const storeKey = keyOf(teamId, key);
      const pending: Entry<T> = { state: 'PENDING', fingerprint };
      if (
        await kv.set(storeKey, JSON.stringify(pending), {
          onlyIfAbsent: true,
          ttlMs: pendingTtlMs,
        })
      ) {
        return { kind: 'NEW' };
      }
      const raw = await kv.get(storeKey);
      if (!raw) return this.claim(teamId, key, fingerprint, pendingTtlMs);
      const entry = JSON.parse(raw) as Entry<T>;
      if (entry.fingerprint !== fingerprint) return { kind: 'MISMATCH' };
      return entry.state === 'DONE'
        ? { kind: 'DONE', result: entry.result }
        : { kind: 'IN_PROGRESS' };
    },

    async complete<T>(teamId: string, key: string, fingerprint: string, result: T): Promise<void> {
      const entry: Entry<T> = { state: 'DONE', fingerprint, result };
      await kv.set(keyOf(teamId, key), JSON.stringify(entry), { ttlMs: options.ttlSeconds * 1000 });
    },

    async release(teamId: string, key: string): Promise<void> {
      await kv.del(keyOf(teamId, key));
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

/** A stable hash of what a request asks for, to tell a retry from a different request. */
export function fingerprintOf(request: unknown): string {
  return sha256(JSON.stringify(request));
}
