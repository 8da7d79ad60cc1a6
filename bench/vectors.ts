import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exactSearch, MetricKind, type BatchMatches } from 'usearch';
import { createDb, runMigrations, type Db } from '../lib/db/index.js';
import {
  CollectionMemory,
  hnswSettings,
  type HnswOptions,
} from '../lib/vectors/collection-memory.js';
import { clusteredVectors, createRandom } from '../lib/vectors/random-vectors.js';
import { createUsearchVectorIndex } from '../lib/vectors/usearch-vector-index.js';
import type { VectorItem } from '../lib/vectors/vector-index.js';
import { VECTOR_MIGRATIONS } from '../lib/vectors/vector-store.js';

/*
 * `npm run bench:vectors`: the vector index of decision 97 at BENCH_SIZES chunks (100,000 and
 * 1,000,000) of BENCH_DIMS (256, the local embedding model's) dimensions, drawn from a Gaussian
 * mixture (a cluster per 100 chunks; see clusteredVectors).
 * - graph only: chunks added to the HNSW graph in batches of 10,000 on every core (vectors/s),
 *   then BENCH_QUERIES single-threaded top-10 searches (p50/p99), recall@10 against an exact scan,
 *   and the process's resident memory the graph added;
 * - durable (sizes up to BENCH_DURABLE_MAX, 100,000): the same chunks through the VectorIndex
 *   (upserts of 1,000 into PostgreSQL, DATABASE_URL, or embedded PGlite without it), searches
 *   through it, plain and filtered, then a snapshot saved and a restart from it (a new index's
 *   first search) timed, and (BENCH_TABLE_RESTART, on by default) a restart without snapshots
 *   (the graph built again from the table);
 * - graph only: the graph saved to a file and loaded back, timed (the restart's graph part).
 * The embedding model's time is not in these figures: `npm run bench:ingest` has it.
 * Every figure line ends with the 1-minute load average (the machine is shared).
 */
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const DIMS = Number(process.env.BENCH_DIMS ?? 256);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1000);
const DURABLE_MAX = Number(process.env.BENCH_DURABLE_MAX ?? 100_000);
const RECALL_QUERIES = 100;
const TABLE_RESTART = process.env.BENCH_TABLE_RESTART !== '0';
const load = () => `[load ${loadavg()[0]!.toFixed(1)}]`;
const hnsw: HnswOptions = {
  quantization: process.env.BENCH_QUANTIZATION as HnswOptions['quantization'],
  connectivity: process.env.BENCH_CONNECTIVITY ? Number(process.env.BENCH_CONNECTIVITY) : undefined,
  expansionAdd: process.env.BENCH_EXPANSION_ADD
    ? Number(process.env.BENCH_EXPANSION_ADD)
    : undefined,
  expansionSearch: process.env.BENCH_EXPANSION_SEARCH
    ? Number(process.env.BENCH_EXPANSION_SEARCH)
    : undefined,
};
const LANGS = ['en', 'de', 'fr', 'es'];
/** The index's default (exactScanMaxRows), to name the path a filtered search takes. */
const EXACT_SCAN_MAX_ROWS = 2000;

const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const latencies = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`;
};
const vectorAt = (flat: Float32Array, i: number) => flat.subarray(i * DIMS, (i + 1) * DIMS);

/** Recall@10 of `found` (keys per query, chunk i as i + 1) against an exact scan. */
function recallAt10(flat: Float32Array, count: number, queries: Float32Array, found: number[][]) {
  const truth = exactSearch(
    flat.subarray(0, count * DIMS),
    Array.from({ length: found.length }, (_, q) => vectorAt(queries, q)),
    DIMS,
    10,
    MetricKind.Cos,
  ) as BatchMatches;
  let hits = 0;
  found.forEach((keys, q) => {
    const expected = new Set(Array.from(truth.get(q).keys, (position) => Number(position) + 1));
    hits += keys.filter((key) => expected.has(key)).length;
  });
  return hits / (found.length * 10);
}

async function graphOnly(count: number, flat: Float32Array, queries: Float32Array) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const memory = new CollectionMemory(DIMS, hnsw);
  const started = performance.now();
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    memory.apply(
      Array.from({ length: n }, (_, i) => ({
        key: start + i + 1,
        id: `c${start + i}`,
        vector: vectorAt(flat, start + i),
        metadata: {},
      })),
    );
    if ((start / batch) % 10 === 9) {
      const seconds = (performance.now() - started) / 1000;
      console.log(`  … ${start + n} added, ${Math.round((start + n) / seconds)} vectors/s`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const rss = process.memoryUsage().rss - before;
  console.log(
    `graph only, ${count} × ${DIMS}: ${Math.round(count / seconds)} vectors/s (${seconds.toFixed(0)} s), +${mb(rss)} resident (${Math.round(rss / count)} B a chunk), heap ${mb(process.memoryUsage().heapUsed)} ${load()}`,
  );
  const samples: number[] = [];
  const found: number[][] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    const nearest = memory.nearest(vectorAt(queries, q), 10);
    samples.push(performance.now() - t);
    if (q < RECALL_QUERIES) found.push(nearest.map((n) => n.key));
  }
  const recall = recallAt10(flat, count, queries, found);
  console.log(
    `  search top-10, ${QUERIES} queries, 1 thread: ${latencies(samples)}; recall@10 ${recall.toFixed(3)} ${load()}`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'mg-bench-graph-'));
  const file = join(dir, 'graph.usearch');
  let t = performance.now();
  memory.hnsw.save(file);
  const saved = (performance.now() - t) / 1000;
  const loaded = new CollectionMemory(DIMS, hnsw);
  t = performance.now();
  loaded.hnsw.load(file);
  console.log(
    `  graph file ${mb((await stat(file)).size)}: saved in ${saved.toFixed(1)} s, loaded in ${((performance.now() - t) / 1000).toFixed(1)} s ${load()}`,
  );
  await rm(dir, { recursive: true, force: true });
}

async function durable(count: number, flat: Float32Array, queries: Float32Array) {
  const name = `mg_bench_vectors_${Date.now()}`;
  let db: Db;
  let admin: Db | undefined;
  if (process.env.DATABASE_URL) {
    admin = await createDb({ url: process.env.DATABASE_URL, schema: 'public', poolSize: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    db = await createDb({ url: url.toString(), schema: 'vectors', poolSize: 4 });
  } else {
    db = await createDb({ schema: 'vectors' });
  }
  await runMigrations(db, VECTOR_MIGRATIONS);
  const snapshotDir = await mkdtemp(join(tmpdir(), 'mg-bench-snapshots-'));
  const index = createUsearchVectorIndex({ db, ...hnsw, snapshotDir });
  await index.createCollection('bench', { dimensions: DIMS });
  const started = performance.now();
  for (let start = 0; start < count; start += 1000) {
    const items: VectorItem[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const metadata = { doc: `d${Math.floor(i / 10)}`, lang: LANGS[i % 4] };
      items.push({ id: `c${i}`, vector: vectorAt(flat, i), metadata });
    }
    await index.upsert('bench', items);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `durable (${db.kind}), ${count} × ${DIMS}: ${Math.round(count / seconds)} vectors/s (${seconds.toFixed(0)} s) through upsert (1,000 a call, snapshots saved as they fell due) ${load()}`,
  );
  const path = (passing: number) => (passing <= EXACT_SCAN_MAX_ROWS ? 'exact scan' : 'graph');
  const runs: [string, Parameters<typeof index.search>[2]][] = [
    ['plain', { topK: 10 }],
    [`filter lang = 'en' (25 %, ${path(count / 4)})`, { topK: 10, filter: { lang: 'en' } }],
    [
      `filter doc in 3 docs (30 chunks, ${path(30)})`,
      { topK: 10, filter: { doc: { in: ['d1', 'd50', 'd90'] } } },
    ],
  ];
  for (const [what, options] of runs) {
    const samples: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const t = performance.now();
      await index.search('bench', vectorAt(queries, q), options);
      samples.push(performance.now() - t);
    }
    console.log(`  search ${what}: ${latencies(samples)} ${load()}`);
  }
  let t = performance.now();
  await index.snapshot('bench');
  console.log(`  snapshot saved in ${((performance.now() - t) / 1000).toFixed(1)} s ${load()}`);
  await index.close();
  const restarts: [string, string | undefined][] = [['the snapshot', snapshotDir]];
  if (TABLE_RESTART) restarts.push(['the table (no snapshot)', undefined]);
  for (const [from, dir] of restarts) {
    const restarted = createUsearchVectorIndex({
      db,
      ...hnsw,
      snapshotDir: dir,
      onLoad: (event) => console.log(`  loaded: ${JSON.stringify(event)}`),
    });
    t = performance.now();
    await restarted.search('bench', vectorAt(queries, 0), { topK: 10 });
    console.log(
      `  restart from ${from}: first search after ${((performance.now() - t) / 1000).toFixed(1)} s ${load()}`,
    );
    await restarted.close();
  }
  await rm(snapshotDir, { recursive: true, force: true });
  await db.close();
  if (admin) {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.close();
  }
}

console.log(
  `bench:vectors, ${DIMS} dimensions, ${JSON.stringify(hnswSettings(hnsw))}, cores ${(await import('node:os')).cpus().length} ${load()}`,
);
for (const count of SIZES) {
  const clusters = Math.max(1, Math.round(count / 100));
  const generated = performance.now();
  const flat = clusteredVectors(createRandom(count), count + QUERIES, DIMS, clusters);
  // The queries are fresh points of the same mixture, not indexed.
  const queries = flat.slice(count * DIMS);
  console.log(
    `\n${count} chunks (${clusters} clusters), generated in ${((performance.now() - generated) / 1000).toFixed(0)} s`,
  );
  if (count <= DURABLE_MAX) await durable(count, flat, queries);
  await graphOnly(count, flat, queries);
}
