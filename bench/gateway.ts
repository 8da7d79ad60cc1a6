import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/*
 * `npm run bench:gateway`: requests per second and latency through the gateway for a catalog-only
 * query and for one that joins three subgraphs on each of 10 models. The platform runs as
 * `npm start` does (gateway and subgraphs in ONE child process); the load comes from this process.
 * With DATABASE_URL / REDIS_URL set, the platform uses them: a fresh database made (and dropped)
 * for the run on that server, and Redis keys that expire on their own.
 */
const PORT = Number(process.env.BENCH_PORT ?? 4400);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);

const QUERIES = {
  'catalog only (10 models)':
    'query Bench1 { models(first: 10) { edges { node { id displayName pricing { inputPerMillion } } } } }',
  'three subgraphs (10 models x access + health)':
    'query Bench3 { models(first: 10) { edges { node { id pricing { inputPerMillion } access { allowed } health { status } } } } }',
};

/** A database of the run's own on the DATABASE_URL server, dropped afterwards. */
async function benchDatabase(): Promise<{ url: string | undefined; drop: () => Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (!server) return { url: undefined, drop: async () => undefined };
  const name = `mg_bench_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function startPlatform(
  databaseUrl: string | undefined,
): Promise<{ key: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    env: {
      ...process.env,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      PORT: String(PORT),
      SUBGRAPH_PORT_BASE: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const key = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = /Demo team member key \(shown once\):\s+(mg_\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`platform exited (${code}):\n${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    key,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function run(query: string, key: string, concurrency: number) {
  const latencies: number[] = [];
  let errors = 0;
  const body = JSON.stringify({ query });
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
      });
      const json = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || json.errors) errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
    count: latencies.length,
  };
}

const database = await benchDatabase();
const platform = await startPlatform(database.url);
try {
  // Warm up: JIT, pools, caches.
  for (const query of Object.values(QUERIES)) await run(query, platform.key, 4);
  console.log(
    `stores: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'} + ${process.env.REDIS_URL ? 'Redis' : 'in-process'}; ${SECONDS} s per row`,
  );
  console.log('| query | clients | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, query] of Object.entries(QUERIES)) {
    for (const concurrency of CONCURRENCY) {
      const r = await run(query, platform.key, concurrency);
      console.log(
        `| ${name} | ${concurrency} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
      );
    }
  }
  console.log('\nReproduce: npm run bench:gateway   (DATABASE_URL=… REDIS_URL=… for real stores)');
} finally {
  await platform.stop();
  await database.drop();
}
