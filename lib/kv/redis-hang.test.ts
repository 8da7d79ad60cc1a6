import { hostPortOf, startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.js';
import {
  REAL_STORES_REASON,
  TEST_REDIS_URL,
  testResourceName,
} from '../../test/support/test-env.js';
import { createRedisKv } from './redis.js';
import type { Kv } from './types.js';

if (!TEST_REDIS_URL) console.warn(`[Redis that hangs] Not run: ${REAL_STORES_REASON}`);
const withRedis = TEST_REDIS_URL ? describe : describe.skip;

/**
 * A Redis that keeps its connection open and stops answering (a stuck server, a network that
 * drops packets): every command fails after the Kv's command timeout instead of waiting forever,
 * so the gateway's caches miss and fail open, and callers that need Redis refuse.
 */
withRedis('the Redis Kv when Redis hangs (real Redis)', () => {
  let proxy: TcpProxy;
  let kv: Kv;

  beforeAll(async () => {
    proxy = await startTcpProxy(hostPortOf(TEST_REDIS_URL!));
    kv = await createRedisKv({
      url: proxy.urlFor(TEST_REDIS_URL!),
      keyPrefix: `${testResourceName()}:`,
      commandTimeoutMs: 300,
    });
  });
  afterAll(async () => {
    await kv?.close();
    await proxy?.close();
  });

  it('answers while Redis does, then fails every command instead of hanging', async () => {
    await kv.set('k', 'v', { ttlMs: 60_000 });
    await expect(kv.get('k')).resolves.toBe('v');
    proxy.stall();
    await expect(kv.get('k')).rejects.toThrow(/timed out/i);
    await expect(kv.set('k', 'w', { ttlMs: 60_000 })).rejects.toThrow(/timed out/i);
  });
});
