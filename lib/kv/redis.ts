import { Redis } from 'ioredis';
import type { Kv, SetOptions } from './types.js';
import { traceRedisCommands } from '../tracing/redis-spans.js';
import { createRedisChannels } from './redis-channels.js';

export interface RedisKvOptions {
  url: string;
  /** Prepended to every key (tests use one per run). @default '' */
  keyPrefix?: string;
  /**
   * A command Redis has not answered by then fails, so a Redis that hangs with its connection
   * open is an error callers handle (a cache miss, a refusal) instead of a request that waits
   * forever. @default 2000
   */
  commandTimeoutMs?: number;
}

/**
 * Redis through ioredis. Commands fail at once while disconnected instead of queueing, and after
 * `commandTimeoutMs` when Redis hangs, so callers decide (fail closed or open) rather than hang.
 */
export async function createRedisKv({
  url,
  keyPrefix = '',
  commandTimeoutMs = 2_000,
}: RedisKvOptions): Promise<Kv> {
  const redis = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
  });
  redis.on('error', () => undefined);
  traceRedisCommands(redis);
  await redis.connect();

  // INCRBY then PEXPIRE NX in one script, so a counter never lives forever if a client dies
  // between; every key given, in one round trip. ARGV: the ttl, then each key's amount.
  redis.defineCommand('mgIncrByTtl', {
    lua: `local out = {}
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  out[i] = redis.call('INCRBY', key, ARGV[i + 1])
  if ttl > 0 and redis.call('PTTL', key) == -1 then
    redis.call('PEXPIRE', key, ttl)
  end
end
return out`,
  });
  const scripted = redis as Redis & {
    mgIncrByTtl(count: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  };
  const incrByAll = (
    increments: ReadonlyArray<readonly [string, number]>,
    ttlMs: number | undefined,
  ) =>
    increments.length === 0
      ? Promise.resolve([])
      : scripted.mgIncrByTtl(
          increments.length,
          ...increments.map(([key]) => key),
          ttlMs === undefined ? 0 : Math.max(1, Math.ceil(ttlMs)),
          ...increments.map(([, by]) => by),
        );

  const channels = createRedisChannels(redis, keyPrefix);

  return {
    kind: 'redis',
    get: (key) => redis.get(key),
    mget: (keys) => (keys.length === 0 ? Promise.resolve([]) : redis.mget(...keys)),
    async set(key, value, { ttlMs, onlyIfAbsent }: SetOptions = {}) {
      const px = ttlMs === undefined ? undefined : Math.max(1, Math.ceil(ttlMs));
      let result: string | null;
      if (px === undefined)
        result = onlyIfAbsent ? await redis.set(key, value, 'NX') : await redis.set(key, value);
      else
        result = onlyIfAbsent
          ? await redis.set(key, value, 'PX', px, 'NX')
          : await redis.set(key, value, 'PX', px);
      return result === 'OK';
    },
    del: (...keys) => (keys.length === 0 ? Promise.resolve(0) : redis.del(...keys)),
    incrBy: async (key, by, { ttlMs } = {}) => (await incrByAll([[key, by]], ttlMs))[0]!,
    incrByAll: (increments, { ttlMs } = {}) => incrByAll(increments, ttlMs),
    publish: (channel, message) => channels.publish(channel, message),
    subscribe: (channel, listener) => channels.subscribe(channel, listener),
    pttl: (key) => redis.pttl(key),
    async ping() {
      await redis.ping();
    },
    async close() {
      channels.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
