import { createMemoryRateLimiter } from './memory-limiter.js';
import { createRedisRateLimiter } from './redis-limiter.js';
import type { RateLimiter } from './types.js';

export type {
  Cost,
  Decision,
  LimitName,
  Limits,
  LimitStatus,
  RateLimiter,
  RateLimitStatus,
  RateLimitSubject,
} from './types.js';
export { limitKey, teamTag } from './plan.js';
export { createMemoryRateLimiter } from './memory-limiter.js';
export { createRedisRateLimiter } from './redis-limiter.js';

export interface RateLimiterOptions {
  /** Redis to keep the limits in; unset keeps them in this process (`npm start` without Redis). */
  redisUrl?: string;
  /** Prepended to every key. @default '' */
  keyPrefix?: string;
  /**
   * Redis only: when it cannot be reached, allow (`failedOpen: true`) instead of refusing with
   * reason UNAVAILABLE. @default false
   */
  failOpen?: boolean;
  /** A test clock in epoch ms; on Redis it replaces Redis TIME. @default Redis TIME / Date.now */
  now?: () => number;
  /** Redis only: a command not answered within this long counts as unreachable. @default 1000 */
  commandTimeoutMs?: number;
}

/** Redis when `redisUrl` is set, otherwise the in-process limiter with the same contract. */
export function createRateLimiter(options: RateLimiterOptions = {}): Promise<RateLimiter> {
  const { redisUrl, keyPrefix, failOpen, now, commandTimeoutMs } = options;
  return redisUrl
    ? createRedisRateLimiter({ url: redisUrl, keyPrefix, failOpen, now, commandTimeoutMs })
    : Promise.resolve(createMemoryRateLimiter({ keyPrefix, now }));
}
