import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createRedisRateLimiter } from '../lib/rate-limit/redis-limiter.js';
import type { Limits } from '../lib/rate-limit/types.js';

/*
 * `npm run bench:ratelimit`: rate-limit decisions per second and reserve() latency against real
 * Redis (REDIS_URL), from 1 process and from 3 processes (child processes of this script, each
 * with its own client). Each reserve checks and consumes 5 limits (team rpm/tpm/tpd, key rpm/tpm)
 * of one of 100 teams × 10 keys in one script call (limits high enough that all are admitted, so
 * every decision takes the write path); Redis `INFO commandstats` shows how many
 * script calls (EVALSHA, or EVAL on a new connection) Redis ran per decision.
 * Keys live under `mg_bench_rl_<time>:` and are deleted at the end.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16); // in flight per process
const PROCESSES = (process.env.BENCH_PROCESSES ?? '1,3').split(',').map(Number);
const TEAMS = 100;
const KEYS_PER_TEAM = 10;
const LIMITS: Limits = {
  rpm: 10_000,
  tpm: 20_000_000,
  tpd: 1_000_000_000,
  keyRpm: 5_000,
  keyTpm: 5_000_000,
};

type ChildResult = { latencies: number[]; allowed: number; refused: number; unavailable: number };

/** A child: waits for `go`, runs reserve() for SECONDS at CONCURRENCY, prints its latencies. */
async function child(url: string, keyPrefix: string) {
  const limiter = await createRedisRateLimiter({ url, keyPrefix });
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  // Warm up: load the script on this connection (EVAL once), JIT.
  for (let i = 0; i < 200; i++)
    await limiter.reserve({ teamId: 'warm' }, { rpm: 1e9 }, { requests: 1, tokens: 0 });
  process.stdout.write('ready\n');
  await lines.next();
  const result: ChildResult = { latencies: [], allowed: 0, refused: 0, unavailable: 0 };
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const team = Math.floor(Math.random() * TEAMS);
      const subject = {
        teamId: `team-${team}`,
        keyId: `key-${team}-${Math.floor(Math.random() * KEYS_PER_TEAM)}`,
      };
      const tokens = 200 + Math.floor(Math.random() * 1800);
      const started = performance.now();
      const decision = await limiter.reserve(subject, LIMITS, { requests: 1, tokens });
      result.latencies.push(performance.now() - started);
      if (decision.allowed) result.allowed += 1;
      else if (decision.reason === 'UNAVAILABLE') result.unavailable += 1;
      else result.refused += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await limiter.close();
}

/** Script calls Redis has run so far (EVALSHA + EVAL), from INFO commandstats. */
async function scriptCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm))
    calls += Number(match[2]);
  return calls;
}

/** CPU seconds the Redis server has used so far (user + system, all its threads). */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function runRow(url: string, keyPrefix: string, processes: number, redis: Redis) {
  const self = fileURLToPath(import.meta.url);
  const children = Array.from({ length: processes }, () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', self, '--child', url, keyPrefix], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    return { proc, next: async () => (await lines.next()).value as string };
  });
  for (const c of children) if ((await c.next()) !== 'ready') throw new Error('child failed');
  const callsBefore = await scriptCalls(redis);
  const cpuBefore = await redisCpu(redis);
  const began = performance.now();
  for (const c of children) c.proc.stdin.write('go\n');
  const results = await Promise.all(
    children.map(async (c) => JSON.parse(await c.next()) as ChildResult),
  );
  const elapsed = (performance.now() - began) / 1000;
  const calls = (await scriptCalls(redis)) - callsBefore;
  const redisCpuShare = ((await redisCpu(redis)) - cpuBefore) / elapsed;
  for (const c of children) c.proc.stdin.end();
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const sum = (k: 'allowed' | 'refused' | 'unavailable') => results.reduce((n, r) => n + r[k], 0);
  return {
    decisions: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    allowed: sum('allowed'),
    refused: sum('refused'),
    unavailable: sum('unavailable'),
    callsPerDecision: calls / latencies.length,
    redisCpuShare,
  };
}

async function main() {
  const url = process.env.REDIS_URL;
  if (!url) {
    console.error(
      'bench:ratelimit needs a real Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379).',
    );
    process.exit(2);
  }
  const keyPrefix = `mg_bench_rl_${Date.now()}:`;
  const redis = new Redis(url);
  try {
    console.log(
      `${SECONDS} s per row; ${CONCURRENCY} reserves in flight per process; 5 limits per reserve`,
    );
    console.log(
      '| processes | decisions/s | p50 ms | p99 ms | allowed | refused | unavailable | script calls / decision | Redis CPU |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const processes of PROCESSES) {
      // Fresh buckets per row, so one row's consumption does not turn the next into refusals.
      const r = await runRow(url, `${keyPrefix}p${processes}:`, processes, redis);
      console.log(
        `| ${processes} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.allowed} | ${r.refused} | ${r.unavailable} | ${r.callsPerDecision.toFixed(3)} | ${(r.redisCpuShare * 100).toFixed(0)} % |`,
      );
    }
    console.log('\nReproduce: REDIS_URL=redis://127.0.0.1:6379 npm run bench:ratelimit');
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv[4] ?? '');
else await main();
