import { benchDatabase, runLoad, startDevPlatform } from './dev-platform.js';

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

const run = (query: string, key: string, concurrency: number) =>
  runLoad({
    url: `http://127.0.0.1:${PORT}/graphql`,
    body: { query },
    headers: { authorization: `Bearer ${key}` },
    concurrency,
    seconds: SECONDS,
  });

const database = await benchDatabase();
const platform = await startDevPlatform({ port: PORT, databaseUrl: database.url });
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
