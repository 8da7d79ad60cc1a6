import type { ChannelListener, Kv, SetOptions } from './types.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/**
 * The in-process store used when `REDIS_URL` is unset: the same contract as Redis for one process.
 * Expired entries are dropped on read and by a periodic sweep that never keeps the process alive.
 */
export function createMemoryKv(options: { now?: () => number; sweepMs?: number } = {}): Kv {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(() => {
    for (const key of entries.keys()) live(key);
  }, options.sweepMs ?? 30_000);
  sweep.unref();

  /** INCRBY with PEXPIRE on creation only, as the Redis store's script does. */
  const increment = (key: string, by: number, ttlMs: number | undefined): number => {
    const entry = live(key);
    if (!Number.isInteger(by)) throw new Error('ERR value is not an integer or out of range');
    if (entry && !/^-?\d+$/.test(entry.value))
      throw new Error('ERR value is not an integer or out of range');
    const next = (entry ? Number(entry.value) : 0) + by;
    const ttl = ttlMs === undefined ? null : Math.max(1, Math.ceil(ttlMs));
    entries.set(key, {
      value: String(next),
      expiresAt: entry?.expiresAt ?? (ttl === null ? null : now() + ttl),
    });
    return next;
  };

  const channels = new Map<string, Set<ChannelListener>>();

  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value ?? null;
    },
    async mget(keys) {
      return keys.map((key) => live(key)?.value ?? null);
    },
    async set(key, value, { ttlMs, onlyIfAbsent }: SetOptions = {}) {
      if (onlyIfAbsent && live(key)) return false;
      entries.set(key, { value, expiresAt: ttlMs === undefined ? null : now() + ttlMs });
      return true;
    },
    async del(...keys) {
      let removed = 0;
      for (const key of keys) if (live(key) && entries.delete(key)) removed += 1;
      return removed;
    },
    async incrBy(key, by, { ttlMs } = {}) {
      return increment(key, by, ttlMs);
    },
    async incrByAll(increments, { ttlMs } = {}) {
      return increments.map(([key, by]) => increment(key, by, ttlMs));
    },
    async publish(channel, message) {
      for (const listener of channels.get(channel) ?? []) listener.message(message);
    },
    subscribe(channel, listener) {
      const listeners = channels.get(channel) ?? new Set<ChannelListener>();
      channels.set(channel, listeners.add(listener));
      queueMicrotask(() => listener.live(true));
      return async () => {
        listeners.delete(listener);
      };
    },
    async pttl(key) {
      const entry = live(key);
      if (!entry) return -2;
      return entry.expiresAt === null ? -1 : entry.expiresAt - now();
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
      channels.clear();
    },
  };
}
