import { Redis } from 'ioredis';
import { createKeyedBatcher } from '../keyed-batcher.js';
import { GCRA_EPSILON_UNITS, gcraRemaining, type GcraState } from './gcra.js';
import { planLimits, planReserve, planSettle, tooLarge, type PlannedLimit } from './plan.js';
import type { Decision, RateLimiter, RateLimitStatus } from './types.js';
import { traceRedisCommands } from '../tracing/redis-spans.js';

export interface RedisRateLimiterOptions {
  url: string;
  /** Prepended to every key (tests and benches use one per run). @default '' */
  keyPrefix?: string;
  /**
   * When Redis cannot be reached: false refuses with reason UNAVAILABLE, true allows with
   * `failedOpen: true`. Either way the caller logs it. @default false
   */
  failOpen?: boolean;
  /**
   * A test clock in epoch ms, sent to the scripts instead of Redis TIME. Production leaves it
   * unset: then every replica shares Redis's clock. @default undefined (Redis TIME)
   */
  now?: () => number;
  /** A command not answered within this long counts as Redis unreachable. @default 1000 */
  commandTimeoutMs?: number;
}

// `now` (ARGV[1]) > 0 is a test clock; otherwise Redis TIME, in ms with µs fractions. Scripts are
// replicated by effects (the default since Redis 5), so reading TIME before writing is allowed.
const NOW = `local now = tonumber(ARGV[1])
if now <= 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end`;

// A limit's state is "<units outstanding> <at ms>", TAT = at + units·T (see gcra.ts), each as %.17g
// so the double survives exactly. A missing key is a full bucket; a key lives until its TAT.
const STATE = `local function load(key, limit, period)
  local v = redis.call('GET', key)
  if not v then return 0 end
  local units, at = string.match(v, '^(%S+) (%S+)$')
  return math.max(tonumber(units) - math.max(now - tonumber(at), 0) * limit / period, 0)
end
local function store(key, units, limit, period)
  if units <= 0 then
    redis.call('DEL', key)
  else
    redis.call('SET', key, string.format('%.17g %.17g', units, now),
      'PX', math.max(1, math.ceil(units * period / limit)))
  end
end`;

/**
 * GCRA on N limits at once (gcra.ts has the arithmetic). KEYS: one per limit; ARGV: now, then
 * limit, periodMs, cost per key. Decides every limit first and writes only if all pass, so a
 * request refused by one limit consumes none.
 * Returns {1} or {0, index of the limit with the longest wait, retryAfterMs}.
 */
const RESERVE_LUA = `${NOW}
${STATE}
local units, worst, worstWait = {}, 0, 0
for i = 1, #KEYS do
  local limit, period, cost = tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i]), tonumber(ARGV[3*i+1])
  units[i] = load(KEYS[i], limit, period) + cost
  local over = units[i] - limit
  if over > ${GCRA_EPSILON_UNITS} then
    local wait = math.ceil((over - ${GCRA_EPSILON_UNITS}) * period / limit)
    if worst == 0 or wait > worstWait then worst, worstWait = i, wait end
  end
end
if worst > 0 then return {0, worst, worstWait} end
for i = 1, #KEYS do store(KEYS[i], units[i], tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])) end
return {1}`;

/**
 * Settlement: moves each TAT by delta·T (ARGV: now, delta, then limit, periodMs per key). Units
 * given back stop at a full bucket (the key is deleted); extra units are charged.
 */
const SETTLE_LUA = `${NOW}
${STATE}
local delta = tonumber(ARGV[2])
for i = 1, #KEYS do
  local limit, period = tonumber(ARGV[2*i+1]), tonumber(ARGV[2*i+2])
  store(KEYS[i], load(KEYS[i], limit, period) + delta, limit, period)
end
return 1`;

/** Status: the clock and every state in one read, so all limits are read at one instant. */
const STATUS_LUA = `${NOW}
local out = {string.format('%.17g', now)}
for i = 1, #KEYS do out[i + 1] = redis.call('GET', KEYS[i]) or '' end
return out`;

type Scripted = Redis & {
  mgRateLimitReserve(keys: number, ...args: Array<string | number>): Promise<number[]>;
  mgRateLimitSettle(keys: number, ...args: Array<string | number>): Promise<number>;
  mgRateLimitStatus(keys: number, ...args: Array<string | number>): Promise<string[]>;
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * GCRA rate limits on Redis with a client of its own. All state lives in Redis and every
 * check-and-consume is one script call (EVALSHA, one round trip), so limits are exact however many
 * replicas share them. Commands fail at once while disconnected (no offline queue), so an outage
 * turns into UNAVAILABLE or fail-open immediately instead of hanging requests.
 */
export async function createRedisRateLimiter({
  url,
  keyPrefix = '',
  failOpen = false,
  now,
  commandTimeoutMs = 1000,
}: RedisRateLimiterOptions): Promise<RateLimiter> {
  const redis = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    // ioredis waits this long for a refused socket that has already closed (2 s by default).
    disconnectTimeout: 100,
  }) as Scripted;
  redis.on('error', () => undefined);
  traceRedisCommands(redis);
  redis.defineCommand('mgRateLimitReserve', { lua: RESERVE_LUA });
  redis.defineCommand('mgRateLimitSettle', { lua: SETTLE_LUA });
  redis.defineCommand('mgRateLimitStatus', { lua: STATUS_LUA });
  // Unreachable at boot is not fatal: ioredis keeps reconnecting, and calls meanwhile are
  // refused or let through as failOpen says.
  await redis.connect().catch(() => undefined);

  const clock = () => (now ? now() : 0);
  /*
   * Settlements of the same limits (one subject) share a script call: one goes at once, and those
   * that arrive while it runs go as one, their deltas summed (settling is additive; the giving back
   * stops at a full bucket once, for the sum). They are off the call's path, so this trades no
   * latency for one round trip where a busy team's calls would each make one.
   */
  const settles = createKeyedBatcher<{ planned: PlannedLimit[]; delta: number }, boolean>(
    async (_limits, batch) => {
      const { planned } = batch[0]!;
      const delta = batch.reduce((sum, s) => sum + s.delta, 0);
      try {
        if (delta !== 0) {
          await redis.mgRateLimitSettle(
            planned.length,
            ...planned.map((p) => p.key),
            clock(),
            delta,
            ...planned.flatMap((p) => [p.limit, p.periodMs]),
          );
        }
        return batch.map(() => true);
      } catch {
        return batch.map(() => false);
      }
    },
  );
  const unavailable = (error: unknown): Decision =>
    failOpen
      ? { allowed: true, failedOpen: true, error: message(error) }
      : { allowed: false, reason: 'UNAVAILABLE', error: message(error) };

  return {
    kind: 'redis',
    async reserve(subject, limits, cost) {
      const planned = planReserve(subject, limits, cost);
      const huge = tooLarge(planned);
      if (huge) return { allowed: false, reason: 'TOO_LARGE', limit: huge };
      if (planned.length === 0) return { allowed: true, failedOpen: false };
      const args = planned.flatMap((p) => [p.limit, p.periodMs, p.cost]);
      let reply: number[];
      try {
        reply = await redis.mgRateLimitReserve(
          planned.length,
          ...planned.map((p) => p.key),
          clock(),
          ...args,
        );
      } catch (error) {
        return unavailable(error);
      }
      if (reply[0] === 1) return { allowed: true, failedOpen: false };
      const refused = planned[(reply[1] ?? 1) - 1];
      if (!refused) throw new Error(`rate limit: unexpected script reply ${JSON.stringify(reply)}`);
      return {
        allowed: false,
        reason: 'LIMITED',
        limit: refused.name,
        retryAfterMs: reply[2] ?? 0,
      };
    },

    async settle(subject, limits, reservedTokens, actualTokens) {
      const delta = actualTokens - reservedTokens;
      const planned = planSettle(subject, limits);
      if (delta === 0 || planned.length === 0) return true;
      const same = planned.map((p) => `${p.key} ${p.limit} ${p.periodMs}`).join('\n');
      return settles(same, { planned, delta });
    },

    async status(subject, limits) {
      const planned = planLimits(subject, limits);
      const result: RateLimitStatus = {};
      let reply: string[];
      try {
        reply = await redis.mgRateLimitStatus(
          planned.length,
          ...planned.map((p) => p.key),
          clock(),
        );
      } catch (error) {
        return { unavailable: message(error) };
      }
      const at = Number(reply[0]);
      planned.forEach((p, i) => {
        const [units, stateAt] = (reply[i + 1] ?? '').split(' ');
        const state: GcraState | undefined =
          units && stateAt ? { units: Number(units), at: Number(stateAt) } : undefined;
        result[p.name] =
          p.limit === 0
            ? { limit: 0, remaining: 0, resetAfterMs: 0 }
            : { limit: p.limit, ...gcraRemaining(state, at, p) };
      });
      return result;
    },

    async close() {
      // quit() would wait for a connection that may never come; disconnect() also stops retrying.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
