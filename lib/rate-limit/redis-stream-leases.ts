import { Redis } from 'ioredis';
import { teamTag } from './plan.js';
import type { StreamLeases } from './stream-leases.js';
import { traceRedisCommands } from '../tracing/redis-spans.js';

// One sorted set per team (`streams:{team:<id>}`): member = lease id, score = expiry in Redis
// TIME ms, so every replica shares one clock. Lapsed leases are dropped before counting.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`;

/** KEYS: the set; ARGV: lease id, limit, ttl ms. Returns 1 when taken (or already held), else 0. */
const ACQUIRE_LUA = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/** KEYS: the set; ARGV: lease id, ttl ms. Extends a held lease only. */
const REFRESH_LUA = `${NOW}
if redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1]) then
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  end
end
return redis.call('ZCARD', KEYS[1])`;

const COUNT_LUA = `${NOW}
return redis.call('ZCARD', KEYS[1])`;

type Scripted = Redis & {
  mgStreamAcquire(key: string, leaseId: string, limit: number, ttlMs: number): Promise<number>;
  mgStreamRefresh(key: string, leaseId: string, ttlMs: number): Promise<number>;
  mgStreamCount(key: string): Promise<number>;
};

/**
 * Stream leases in Redis: acquire is one script (count live leases, then add), so the limit holds
 * exactly however many replicas race for it. Keys carry the team's hash tag (Cluster-ready).
 */
export async function createRedisStreamLeases(options: {
  url: string;
  keyPrefix?: string;
  commandTimeoutMs?: number;
}): Promise<StreamLeases> {
  const timeout = options.commandTimeoutMs ?? 1000;
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? '',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: timeout,
    connectTimeout: timeout,
    disconnectTimeout: 100,
  }) as Scripted;
  redis.on('error', () => undefined);
  traceRedisCommands(redis);
  redis.defineCommand('mgStreamAcquire', { numberOfKeys: 1, lua: ACQUIRE_LUA });
  redis.defineCommand('mgStreamRefresh', { numberOfKeys: 1, lua: REFRESH_LUA });
  redis.defineCommand('mgStreamCount', { numberOfKeys: 1, lua: COUNT_LUA });
  await redis.connect().catch(() => undefined);
  const keyOf = (teamId: string) => `streams:${teamTag(teamId)}`;

  return {
    kind: 'redis',
    async acquire(teamId, leaseId, limit, ttlMs) {
      return (await redis.mgStreamAcquire(keyOf(teamId), leaseId, limit, ttlMs)) === 1;
    },
    async refresh(teamId, leaseId, ttlMs) {
      await redis.mgStreamRefresh(keyOf(teamId), leaseId, ttlMs);
    },
    async release(teamId, leaseId) {
      await redis.zrem(keyOf(teamId), leaseId);
    },
    count: (teamId) => redis.mgStreamCount(keyOf(teamId)),
    async close() {
      redis.disconnect();
    },
  };
}
