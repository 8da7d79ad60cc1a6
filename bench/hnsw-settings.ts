import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { exactSearch, Index, MetricKind, type BatchMatches, type ScalarKind } from 'usearch';
import { clusteredVectors, createRandom } from '../lib/vectors/random-vectors.js';

/*
 * `npm run bench:hnsw-settings`: how usearch's HNSW settings trade graph build speed for recall on
 * the clustered bench data (decision 97 chose the defaults with it). BENCH_SIZE chunks (100,000) of
 * 256 dimensions, one cluster per 100, added in batches of 10,000; then 100 fresh queries, top 10,
 * recall@10 against an exact scan. BENCH_CONFIGS lists `quantization:connectivity:expansionAdd:
 * threads:expansionSearch` (threads 0 = every core), space-separated.
 */
const N = Number(process.env.BENCH_SIZE ?? 100_000);
const D = 256;
const Q = 100;
const CONFIGS = (
  process.env.BENCH_CONFIGS ?? 'f32:16:128:0:64 f32:16:64:0:64 f32:16:32:0:64'
).split(' ');

const flat = clusteredVectors(createRandom(N), N + Q, D, Math.round(N / 100));
const queries = Array.from({ length: Q }, (_, q) => flat.subarray((N + q) * D, (N + q + 1) * D));
const truth = exactSearch(flat.subarray(0, N * D), queries, D, 10, MetricKind.Cos) as BatchMatches;

for (const config of CONFIGS) {
  const [quantization, connectivity, expansionAdd, threads, expansionSearch] = config.split(':');
  const index = new Index({
    dimensions: D,
    metric: MetricKind.Cos,
    quantization: quantization as ScalarKind,
    connectivity: Number(connectivity),
    expansion_add: Number(expansionAdd),
    expansion_search: Number(expansionSearch ?? 64),
    multi: false,
  });
  const started = performance.now();
  for (let start = 0; start < N; start += 10_000) {
    const n = Math.min(10_000, N - start);
    const keys = BigUint64Array.from({ length: n }, (_, i) => BigInt(start + i));
    index.add(keys, flat.subarray(start * D, (start + n) * D), Number(threads));
  }
  const seconds = (performance.now() - started) / 1000;
  let hits = 0;
  queries.forEach((query, q) => {
    const expected = new Set(Array.from(truth.get(q).keys, Number));
    hits += Array.from(index.search(query, 10, 1).keys, Number).filter((k) =>
      expected.has(k),
    ).length;
  });
  console.log(
    `${config}, ${N} × ${D}: ${Math.round(N / seconds)} vectors/s (${seconds.toFixed(1)} s), recall@10 ${(hits / Q / 10).toFixed(3)} [load ${loadavg()[0]!.toFixed(1)}]`,
  );
}
