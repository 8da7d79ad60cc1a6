import { createRedisRateLimiter } from '../../../../lib/rate-limit/index.js';
import type { RateLimiter } from '../../../../lib/rate-limit/index.js';
import { eventually } from '../../../../test/support/eventually.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { hostPortOf, startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.js';
import {
  REAL_STORES_REASON,
  TEST_REDIS_URL,
  testResourceName,
} from '../../../../test/support/test-env.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

if (!TEST_REDIS_URL) console.warn(`[fail-open settlement] Not run: ${REAL_STORES_REASON}`);
const withRedis = TEST_REDIS_URL ? describe : describe.skip;

/**
 * Fail open means a call let through unchecked while Redis was away: it reserved nothing, so it
 * must give nothing back once Redis returns (that wiped other calls' token usage).
 */
withRedis('settling a call let through while Redis was away (real Redis)', () => {
  let proxy: TcpProxy;
  let limiter: RateLimiter;
  const limits = { tpd: 1_000 };
  const subject = { teamId: 'fail-open-team' };
  const log = createRecordingLogger();
  const ctx = { teamId: subject.teamId, keyId: undefined, logger: log.logger } as SagaContext;
  const remaining = async () => (await limiter.status(subject, limits)).tpd?.remaining;

  beforeAll(async () => {
    proxy = await startTcpProxy(hostPortOf(TEST_REDIS_URL!));
    limiter = await createRedisRateLimiter({
      url: proxy.urlFor(TEST_REDIS_URL!),
      keyPrefix: `${testResourceName()}:`,
      failOpen: true,
      commandTimeoutMs: 200,
    });
  });
  afterAll(async () => {
    await limiter?.close();
    await proxy?.close();
  });

  it('gives back nothing it never took', async () => {
    const deps = { rateLimiter: limiter } as SagaDeps;
    // Another call has used 900 of the day's 1,000 tokens (a day's limit barely refills meanwhile).
    await reserveRate(deps, ctx, limits, { requests: 1, tokens: 900 });
    const before = await remaining();
    expect(before).toBeLessThanOrEqual(100);

    proxy.down();
    const settle = await reserveRate(deps, ctx, limits, { requests: 1, tokens: 800 });
    expect(log.lines.map((line) => line.msg)).toContain(
      'rate limits unavailable; call allowed (fail open)',
    );
    proxy.up();
    await eventually('Redis answers again', async () => (await remaining()) ?? undefined, {
      timeoutMs: 10_000,
    });
    // The call used none of its 800 "reserved" tokens.
    await settle(0);
    expect(await remaining()).toBeLessThanOrEqual(before! + 1);
  });
});
