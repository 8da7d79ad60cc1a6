import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testResourceName } from '../../test/support/test-env.js';
import { createRedisRateLimiter } from './redis-limiter.js';
import type { Limits } from './types.js';

const WORKER = fileURLToPath(new URL('../../test/support/rate-limit-worker.ts', import.meta.url));
const REPLICAS = 3;
const NOW = 1_790_000_000_000;

type Outcome = { tokens: number; allowed: boolean; reason: string | null };

/** One replica process; `run` sends a job and resolves with its outcomes. */
function startReplica(url: string, keyPrefix: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, url, keyPrefix, String(NOW)],
    { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`replica exited; stderr:\n${stderr}`);
    return line.value as string;
  };
  return {
    ready: next().then((line) => expect(line).toBe('ready')),
    async run(job: { teamId: string; limits: Limits; tokens: number[] }): Promise<Outcome[]> {
      child.stdin!.write(`${JSON.stringify(job)}\n`);
      return JSON.parse(await next()) as Outcome[];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** Deterministic sizes in [1, 50] (a small LCG), so a failure can be replayed. */
function sizes(count: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return 1 + (x % 50);
  });
}

if (!TEST_REDIS_URL) {
  console.warn(
    '[rate-limit replicas] Not run: exactness across 3 processes needs a Redis they share ' +
      '(set REDIS_URL).',
  );
}

(TEST_REDIS_URL ? describe : describe.skip)('rate limits across 3 replicas (real Redis)', () => {
  const url = TEST_REDIS_URL as string;
  const keyPrefix = `${testResourceName()}:`;
  let replicas: Array<ReturnType<typeof startReplica>> = [];

  beforeAll(async () => {
    replicas = Array.from({ length: REPLICAS }, () => startReplica(url, keyPrefix));
    await Promise.all(replicas.map((r) => r.ready));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    const redis = new Redis(url);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('admits exactly rpm of 600 concurrent requests', async () => {
    const job = { teamId: 'replicas-rpm', limits: { rpm: 100 }, tokens: Array(200).fill(0) };
    const outcomes = (await Promise.all(replicas.map((r) => r.run(job)))).flat();
    expect(outcomes).toHaveLength(600);
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(100);
    expect(outcomes.filter((o) => !o.allowed).every((o) => o.reason === 'LIMITED')).toBe(true);
  });

  it('admits at most tpm tokens of mixed sizes, and refuses only what no longer fits', async () => {
    const limits: Limits = { tpm: 1000 };
    const outcomes = (
      await Promise.all(
        replicas.map((r, i) =>
          r.run({ teamId: 'replicas-tpm', limits, tokens: sizes(100, i + 1) }),
        ),
      )
    ).flat();
    const admitted = outcomes.filter((o) => o.allowed).reduce((sum, o) => sum + o.tokens, 0);
    const refused = outcomes.filter((o) => !o.allowed);
    expect(admitted).toBeLessThanOrEqual(1000);
    expect(refused.length).toBeGreaterThan(0);

    const limiter = await createRedisRateLimiter({ url, keyPrefix, now: () => NOW });
    try {
      const status = await limiter.status({ teamId: 'replicas-tpm' }, limits);
      expect(status.tpm?.remaining).toBe(1000 - admitted);
      // Every refusal was right: the request was bigger than what was left after all admissions.
      const wrongful = refused.filter((o) => o.tokens <= 1000 - admitted);
      expect(wrongful).toEqual([]);
      expect(refused.every((o) => o.reason === 'LIMITED')).toBe(true);
    } finally {
      await limiter.close();
    }
  });
});
