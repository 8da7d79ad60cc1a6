import { gcraAdjust, gcraCheck, gcraRemaining, outstanding, type GcraState } from './gcra.js';
import { planLimits, planReserve, planSettle, type PlannedLimit } from './plan.js';
import type { Decision, LimitName, RateLimiter, RateLimitStatus } from './types.js';

export interface MemoryRateLimiterOptions {
  /** Prepended to every key, as on Redis. @default '' */
  keyPrefix?: string;
  /** The clock, in epoch milliseconds (tests inject one). @default Date.now */
  now?: () => number;
}

/**
 * The rate limiter in process, for `npm start` without Redis: the same contract and arithmetic as
 * the Redis one, exact within this one process only. Each call decides synchronously, so no other
 * call interleaves between check and consume.
 */
export function createMemoryRateLimiter({
  keyPrefix = '',
  now = Date.now,
}: MemoryRateLimiterOptions = {}): RateLimiter {
  const states = new Map<string, { state: GcraState; limit: PlannedLimit }>();
  let calls = 0;

  const read = (p: PlannedLimit) => states.get(keyPrefix + p.key)?.state;
  const write = (p: PlannedLimit, state: GcraState | undefined) => {
    if (state === undefined) states.delete(keyPrefix + p.key);
    else states.set(keyPrefix + p.key, { state, limit: p });
  };
  // Drained state means a full bucket; drop it now and then so the map does not grow forever.
  const sweep = (at: number) => {
    if (++calls % 1000 !== 0) return;
    for (const [key, { state, limit }] of states)
      if (outstanding(state, at, limit) === 0) states.delete(key);
  };

  return {
    kind: 'memory',
    async reserve(subject, limits, cost): Promise<Decision> {
      const planned = planReserve(subject, limits, cost);
      const at = now();
      sweep(at);
      const next: Array<[PlannedLimit, GcraState]> = [];
      let refused: { limit: LimitName; retryAfterMs: number } | undefined;
      for (const p of planned) {
        const check = gcraCheck(read(p), at, p, p.cost);
        if (check.outcome === 'TOO_LARGE')
          return { allowed: false, reason: 'TOO_LARGE', limit: p.name };
        if (check.outcome === 'LIMITED') {
          if (!refused || check.retryAfterMs > refused.retryAfterMs)
            refused = { limit: p.name, retryAfterMs: check.retryAfterMs };
        } else next.push([p, check.state]);
      }
      if (refused) return { allowed: false, reason: 'LIMITED', ...refused };
      for (const [p, state] of next) write(p, state);
      return { allowed: true, failedOpen: false };
    },

    async settle(subject, limits, reservedTokens, actualTokens) {
      const delta = actualTokens - reservedTokens;
      if (delta === 0) return true;
      const at = now();
      for (const p of planSettle(subject, limits)) {
        write(p, gcraAdjust(read(p), at, p, delta));
      }
      return true;
    },

    async status(subject, limits) {
      const at = now();
      const result: RateLimitStatus = {};
      for (const p of planLimits(subject, limits)) {
        result[p.name] =
          p.limit === 0
            ? { limit: 0, remaining: 0, resetAfterMs: 0 }
            : { limit: p.limit, ...gcraRemaining(read(p), at, p) };
      }
      return result;
    },

    async close() {
      states.clear();
    },
  };
}
