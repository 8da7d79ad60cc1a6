import { createInterface } from 'node:readline';
import { createRedisRateLimiter } from '../../lib/rate-limit/redis-limiter.js';
import type { Limits } from '../../lib/rate-limit/types.js';

/*
 * A replica for rate-limit-replicas.test.ts: its own Redis client on the shared keys. Prints
 * `ready`, then for each JSON job line on stdin `{ teamId, limits, tokens: number[] }` fires one
 * reserve per entry, all at once, and prints one JSON line `[{ tokens, allowed, reason }]`.
 * Ends when stdin closes.
 * Usage: node --import tsx test/support/rate-limit-worker.ts <redisUrl> <keyPrefix> <nowMs>
 */
const [url, keyPrefix, nowMs] = process.argv.slice(2);
if (!url || keyPrefix === undefined || !nowMs) {
  console.error('usage: rate-limit-worker.ts <redisUrl> <keyPrefix> <nowMs>');
  process.exit(2);
}

// A fixed clock: nothing refills while the replicas race, so the admitted count is exact.
const limiter = await createRedisRateLimiter({ url, keyPrefix, now: () => Number(nowMs) });
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  const job = JSON.parse(line) as { teamId: string; limits: Limits; tokens: number[] };
  const results = await Promise.all(
    job.tokens.map(async (tokens) => {
      const decision = await limiter.reserve({ teamId: job.teamId }, job.limits, {
        requests: 1,
        tokens,
      });
      return {
        tokens,
        allowed: decision.allowed,
        reason: decision.allowed ? null : decision.reason,
      };
    }),
  );
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
await limiter.close();
