import { Redis } from 'ioredis';
import { eventually } from '../../test/support/eventually.js';
import { TEST_REDIS_URL, testResourceName } from '../../test/support/test-env.js';
import { createRedisStreamLeases } from './redis-stream-leases.js';
import { createMemoryStreamLeases, type StreamLeases } from './stream-leases.js';

const MODES = TEST_REDIS_URL ? (['memory', 'redis'] as const) : (['memory'] as const);

/** One contract for the stream leases of embedded mode and of Redis (shared by replicas). */
describe.each(MODES)('StreamLeases contract (%s)', (mode) => {
  const keyPrefix = `${testResourceName()}:`;
  let leases: StreamLeases;
  let other: StreamLeases;
  let redis: Redis | undefined;

  beforeAll(async () => {
    if (mode === 'redis') {
      leases = await createRedisStreamLeases({ url: TEST_REDIS_URL!, keyPrefix });
      // A second replica's client: the limit holds across both.
      other = await createRedisStreamLeases({ url: TEST_REDIS_URL!, keyPrefix });
      redis = new Redis(TEST_REDIS_URL!);
    } else {
      leases = createMemoryStreamLeases();
      other = leases;
    }
  });
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await leases.close();
    if (other !== leases) await other.close();
  });

  it('grants up to the limit per team, and one more after a release', async () => {
    expect(await leases.acquire('team-a', 'a1', 2, 60_000)).toBe(true);
    expect(await other.acquire('team-a', 'a2', 2, 60_000)).toBe(true);
    expect(await leases.acquire('team-a', 'a3', 2, 60_000)).toBe(false);
    // Another team has its own count; a held lease may be taken again.
    expect(await leases.acquire('team-b', 'b1', 1, 60_000)).toBe(true);
    expect(await leases.acquire('team-a', 'a1', 2, 60_000)).toBe(true);
    expect(await leases.count('team-a')).toBe(2);
    await other.release('team-a', 'a1');
    expect(await leases.acquire('team-a', 'a3', 2, 60_000)).toBe(true);
    expect(await leases.count('team-a')).toBe(2);
  });

  it('lets a lease lapse after its TTL unless refreshed (a replica that died)', async () => {
    expect(await leases.acquire('team-c', 'kept', 2, 300)).toBe(true);
    expect(await leases.acquire('team-c', 'dropped', 2, 300)).toBe(true);
    const refresher = setInterval(() => void leases.refresh('team-c', 'kept', 300), 50);
    try {
      await eventually(
        'the unrefreshed lease lapsed',
        async () => ((await leases.count('team-c')) === 1 ? true : undefined),
        { timeoutMs: 5_000, intervalMs: 50 },
      );
      expect(await leases.acquire('team-c', 'new', 2, 300)).toBe(true);
      expect(await leases.acquire('team-c', 'refused', 2, 300)).toBe(false);
    } finally {
      clearInterval(refresher);
    }
  });

  it('keeps every key of a team under its hash tag', async () => {
    if (!redis) return;
    await leases.acquire('team-d', 'd1', 1, 60_000);
    expect(await redis.keys(`${keyPrefix}streams:*team-d*`)).toEqual([
      `${keyPrefix}streams:{team:team-d}`,
    ]);
  });
});
