import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testResourceName } from '../../test/support/test-env.js';
import { createMemoryRateLimiter } from './memory-limiter.js';
import { createRedisRateLimiter } from './redis-limiter.js';
import type { Limits, RateLimiter } from './types.js';
import { eventually } from '../../test/support/eventually.js';

const MODES = TEST_REDIS_URL ? (['memory', 'redis'] as const) : (['memory'] as const);
if (!TEST_REDIS_URL) {
  console.warn(
    '[rate-limit contract] REDIS_URL is unset: only the in-process limiter is run; the Lua ' +
      'limiter (key names, hash tags, expiry in Redis) needs a real Redis.',
  );
}

const T0 = 1_790_000_000_000;
const team = { teamId: 'team-1' };

/** Deletes every key under `prefix`; returns the key names found first. */
async function keysUnder(redis: Redis, prefix: string, del = false): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
    if (del && keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  return found.sort();
}

describe.each(MODES)('RateLimiter contract (%s)', (mode) => {
  let clock = T0;
  let limiter: RateLimiter;
  let redis: Redis | undefined;
  const keyPrefix = `${testResourceName()}:`;
  const advance = (ms: number) => (clock += ms);

  beforeAll(async () => {
    const now = () => clock;
    if (mode === 'redis') {
      redis = new Redis(TEST_REDIS_URL as string);
      limiter = await createRedisRateLimiter({ url: TEST_REDIS_URL as string, keyPrefix, now });
    } else limiter = createMemoryRateLimiter({ keyPrefix, now });
  });
  beforeEach(async () => {
    clock += 24 * 3_600_000; // every test starts with full buckets, days apart
    if (redis) await keysUnder(redis, keyPrefix, true);
  });
  afterAll(async () => {
    await limiter?.close();
    if (redis) {
      await keysUnder(redis, keyPrefix, true);
      redis.disconnect();
    }
  });

  it('admits a burst of exactly rpm, then refuses naming rpm and when a retry passes', async () => {
    const limits: Limits = { rpm: 5 };
    for (let i = 0; i < 5; i++)
      await expect(limiter.reserve(team, limits, { requests: 1, tokens: 0 })).resolves.toEqual({
        allowed: true,
        failedOpen: false,
      });
    await expect(limiter.reserve(team, limits, { requests: 1, tokens: 0 })).resolves.toEqual({
      allowed: false,
      reason: 'LIMITED',
      limit: 'rpm',
      retryAfterMs: 12_000,
    });
    advance(11_999);
    await expect(limiter.reserve(team, limits, { requests: 1, tokens: 0 })).resolves.toMatchObject({
      allowed: false,
      retryAfterMs: 1,
    });
    advance(1);
    await expect(limiter.reserve(team, limits, { requests: 1, tokens: 0 })).resolves.toMatchObject({
      allowed: true,
    });
  });

  it('checks rpm and tpm together: a request refused by one consumes from neither', async () => {
    const limits: Limits = { rpm: 3, tpm: 1000 };
    await expect(
      limiter.reserve(team, limits, { requests: 1, tokens: 900 }),
    ).resolves.toMatchObject({ allowed: true });
    await expect(limiter.reserve(team, limits, { requests: 1, tokens: 200 })).resolves.toEqual({
      allowed: false,
      reason: 'LIMITED',
      limit: 'tpm',
      retryAfterMs: 6_000, // 100 tokens × 60 ms
    });
    await expect(limiter.status(team, limits)).resolves.toEqual({
      rpm: { limit: 3, remaining: 2, resetAfterMs: 20_000 },
      tpm: { limit: 1000, remaining: 100, resetAfterMs: 54_000 },
    });
    await limiter.reserve(team, limits, { requests: 1, tokens: 10 });
    await limiter.reserve(team, limits, { requests: 1, tokens: 10 });
    // Refused by rpm: tpm keeps its 80 tokens.
    await expect(limiter.reserve(team, limits, { requests: 1, tokens: 10 })).resolves.toMatchObject(
      { allowed: false, limit: 'rpm' },
    );
    await expect(limiter.status(team, limits)).resolves.toMatchObject({
      tpm: { remaining: 80 },
      rpm: { remaining: 0 },
    });
  });

  it('names the limit with the longest wait when several refuse', async () => {
    const limits: Limits = { rpm: 1, tpm: 100 };
    await limiter.reserve(team, limits, { requests: 1, tokens: 100 });
    await expect(limiter.reserve(team, limits, { requests: 1, tokens: 10 })).resolves.toEqual({
      allowed: false,
      reason: 'LIMITED',
      limit: 'rpm',
      retryAfterMs: 60_000,
    });
  });

  it('refuses a cost above a limit as TOO_LARGE, and skips a dimension of cost 0', async () => {
    await expect(
      limiter.reserve(team, { rpm: 10, tpm: 1000 }, { requests: 1, tokens: 1001 }),
    ).resolves.toEqual({ allowed: false, reason: 'TOO_LARGE', limit: 'tpm' });
    await expect(
      limiter.reserve(team, { rpm: 10, tpm: 0 }, { requests: 1, tokens: 0 }),
    ).resolves.toMatchObject({ allowed: true });
    await expect(limiter.status(team, { rpm: 10, tpm: 1000 })).resolves.toMatchObject({
      rpm: { remaining: 9 },
      tpm: { remaining: 1000 },
    });
  });

  it('settles to actual usage: gives back unused tokens, charges extra ones, tpd too', async () => {
    const limits: Limits = { tpm: 1000, tpd: 10_000 };
    await limiter.reserve(team, limits, { requests: 1, tokens: 900 });
    await expect(limiter.settle(team, limits, 900, 300)).resolves.toBe(true);
    await expect(limiter.status(team, limits)).resolves.toMatchObject({
      tpm: { remaining: 700 },
      tpd: { remaining: 9_700 },
    });
    await limiter.reserve(team, limits, { requests: 1, tokens: 100 });
    await limiter.settle(team, limits, 100, 250);
    await expect(limiter.status(team, limits)).resolves.toMatchObject({
      tpm: { remaining: 450 },
      tpd: { remaining: 9_450 },
    });
    // Giving back more than is outstanding stops at a full bucket.
    await limiter.settle(team, limits, 5_000, 0);
    await expect(limiter.status(team, limits)).resolves.toMatchObject({
      tpm: { remaining: 1000, resetAfterMs: 0 },
      tpd: { remaining: 10_000 },
    });
  });

  it('settles concurrent settlements of one team exactly, however they are sent', async () => {
    const limits: Limits = { tpm: 10_000, tpd: 100_000 };
    const busy = { teamId: 'team-settles' };
    const other = { teamId: 'team-settles-other' };
    await Promise.all(
      Array.from({ length: 20 }, () => limiter.reserve(busy, limits, { requests: 1, tokens: 400 })),
    );
    await limiter.reserve(other, limits, { requests: 1, tokens: 400 });
    // Twenty at once: ten give back 300 each, ten are charged 100 more each; and another team's.
    const settled = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        limiter.settle(busy, limits, 400, i % 2 === 0 ? 100 : 500),
      ),
      limiter.settle(other, limits, 400, 0),
    ]);
    expect(settled.every(Boolean)).toBe(true);
    // 20 × 400 reserved, −3,000 + 1,000 settled: 6,000 used.
    await expect(limiter.status(busy, limits)).resolves.toMatchObject({
      tpm: { remaining: 4_000 },
      tpd: { remaining: 94_000 },
    });
    await expect(limiter.status(other, limits)).resolves.toMatchObject({
      tpm: { remaining: 10_000 },
    });
  });

  it('applies per-key limits to that key only, and team limits to all its keys', async () => {
    const limits: Limits = { rpm: 5, keyRpm: 2, keyTpm: 100 };
    const a = { teamId: 'team-1', keyId: 'key-a' };
    const b = { teamId: 'team-1', keyId: 'key-b' };
    await limiter.reserve(a, limits, { requests: 1, tokens: 10 });
    await limiter.reserve(a, limits, { requests: 1, tokens: 10 });
    await expect(limiter.reserve(a, limits, { requests: 1, tokens: 10 })).resolves.toMatchObject({
      allowed: false,
      limit: 'keyRpm',
    });
    await expect(limiter.reserve(b, limits, { requests: 1, tokens: 95 })).resolves.toMatchObject({
      allowed: true,
    });
    await expect(limiter.reserve(b, limits, { requests: 1, tokens: 10 })).resolves.toMatchObject({
      allowed: false,
      limit: 'keyTpm',
    });
    await expect(limiter.status(a, limits)).resolves.toEqual({
      rpm: { limit: 5, remaining: 2, resetAfterMs: 36_000 },
      keyRpm: { limit: 2, remaining: 0, resetAfterMs: 60_000 },
      keyTpm: { limit: 100, remaining: 80, resetAfterMs: 12_000 },
    });
    // Without a key, per-key limits do not apply.
    await expect(limiter.status(team, limits)).resolves.toEqual({
      rpm: { limit: 5, remaining: 2, resetAfterMs: 36_000 },
    });
  });

  it('status does not consume, and a bucket is full again a period later', async () => {
    const limits: Limits = { rpm: 10, tpd: 1_000 };
    await limiter.reserve(team, limits, { requests: 4, tokens: 500 });
    const once = await limiter.status(team, limits);
    await expect(limiter.status(team, limits)).resolves.toEqual(once);
    expect(once).toEqual({
      rpm: { limit: 10, remaining: 6, resetAfterMs: 24_000 },
      tpd: { limit: 1_000, remaining: 500, resetAfterMs: 43_200_000 },
    });
    advance(60_000);
    await expect(limiter.status(team, limits)).resolves.toMatchObject({
      rpm: { remaining: 10, resetAfterMs: 0 },
      tpd: { remaining: 500, resetAfterMs: 43_140_000 },
    });
  });

  if (mode === 'redis') {
    it('keeps every key of a team under one hash tag', async () => {
      const limits: Limits = { rpm: 10, tpm: 1000, tpd: 10_000, keyRpm: 5, keyTpm: 500 };
      await limiter.reserve({ teamId: 'team-1', keyId: 'k1' }, limits, { requests: 1, tokens: 5 });
      await limiter.reserve({ teamId: 'te}am:2', keyId: 'k:2' }, limits, {
        requests: 1,
        tokens: 5,
      });
      const names = (await keysUnder(redis as Redis, keyPrefix)).map((k) =>
        k.slice(keyPrefix.length),
      );
      expect(names).toEqual([
        'rl:{team:te%7Dam%3A2}:key:k%3A2:rpm',
        'rl:{team:te%7Dam%3A2}:key:k%3A2:tpm',
        'rl:{team:te%7Dam%3A2}:rpm',
        'rl:{team:te%7Dam%3A2}:tpd',
        'rl:{team:te%7Dam%3A2}:tpm',
        'rl:{team:team-1}:key:k1:rpm',
        'rl:{team:team-1}:key:k1:tpm',
        'rl:{team:team-1}:rpm',
        'rl:{team:team-1}:tpd',
        'rl:{team:team-1}:tpm',
      ]);
    });

    it('lets keys expire when their bucket is full again', async () => {
      const r = redis as Redis;
      await limiter.reserve(team, { rpm: 10, tpd: 1000 }, { requests: 1, tokens: 100 });
      const rpmTtl = await r.pttl(`${keyPrefix}rl:{team:team-1}:rpm`);
      const tpdTtl = await r.pttl(`${keyPrefix}rl:{team:team-1}:tpd`);
      expect(rpmTtl).toBeGreaterThan(5_000);
      expect(rpmTtl).toBeLessThanOrEqual(6_000); // 1 request × 6 s
      expect(tpdTtl).toBeGreaterThan(8_640_000 - 5_000);
      expect(tpdTtl).toBeLessThanOrEqual(8_640_000); // 100 tokens × 86.4 s
      // 1 request of 1000/min is outstanding for 60 ms: then the key is gone.
      await limiter.reserve({ teamId: 'short' }, { rpm: 1000 }, { requests: 1, tokens: 0 });
      const shortKey = `${keyPrefix}rl:{team:short}:rpm`;
      expect(await r.pttl(shortKey)).toBeLessThanOrEqual(60);
      await eventually(
        'the short key expires',
        async () => ((await r.exists(shortKey)) === 0 ? true : undefined),
        { timeoutMs: 5_000, intervalMs: 10 },
      );
      // Settling everything back deletes the key at once.
      await limiter.settle(team, { tpd: 1000 }, 100, 0);
      expect(await r.exists(`${keyPrefix}rl:{team:team-1}:tpd`)).toBe(0);
    });
  }
});

/** A port on which nothing listens (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('RateLimiter with Redis unreachable', () => {
  const limits: Limits = { rpm: 10, tpm: 1000 };
  const cost = { requests: 1, tokens: 10 };

  it('fails closed by default: refuses with reason UNAVAILABLE', async () => {
    const limiter = await createRedisRateLimiter({ url: `redis://127.0.0.1:${await deadPort()}` });
    try {
      const decision = await limiter.reserve(team, limits, cost);
      expect(decision).toMatchObject({ allowed: false, reason: 'UNAVAILABLE' });
      expect(decision.allowed === false && 'error' in decision && decision.error).toBeTruthy();
      await expect(limiter.settle(team, limits, 10, 5)).resolves.toBe(false);
      await expect(limiter.status(team, limits)).resolves.toHaveProperty('unavailable');
    } finally {
      await limiter.close();
    }
  });

  it('fails open when asked: allows, marked failedOpen', async () => {
    const limiter = await createRedisRateLimiter({
      url: `redis://127.0.0.1:${await deadPort()}`,
      failOpen: true,
    });
    try {
      await expect(limiter.reserve(team, limits, cost)).resolves.toMatchObject({
        allowed: true,
        failedOpen: true,
        error: expect.any(String),
      });
      // TOO_LARGE needs no store: it is refused even then.
      await expect(
        limiter.reserve(team, limits, { requests: 1, tokens: 5000 }),
      ).resolves.toMatchObject({ allowed: false, reason: 'TOO_LARGE' });
    } finally {
      await limiter.close();
    }
  });
});
