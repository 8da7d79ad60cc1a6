import { mkdtemp, rm } from 'node:fs/promises';
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
import { createRandom } from '../lib/vectors/random-vectors.js';
import { createUsearchVectorIndex } from '../lib/vectors/usearch-vector-index.js';
import type { VectorItem } from '../lib/vectors/vector-index.js';
import { VECTOR_MIGRATIONS } from '../lib/vectors/vector-store.js';
import { hashEmbedding } from '../subgraphs/inference/providers/local/hash-embedding.js';
import { chunkDocument } from '../subgraphs/orchestration/service/collections/chunking.js';

/*
 * `npm run bench:ingest`: the issue's ingestion figure. A synthetic Markdown corpus (documents of
 * headed sections, each document about one of 500 topics: words drawn from the topic's 40 and a
 * shared 2,000) is chunked with the collections' `chunkDocument` (1,000 characters, 150 overlap),
 * each chunk embedded in process with the local `hash-embed` model (256 dimensions), and indexed:
 * - durable (sizes up to BENCH_DURABLE_MAX, 100,000): upserts of 1,000 through the VectorIndex
 *   into PostgreSQL (DATABASE_URL) or embedded PGlite, snapshots on (their saves are in the time);
 * - graph only (every size): the embedded chunks added to the HNSW graph in batches of 10,000.
 * Then BENCH_QUERIES top-10 searches with fresh chunks (of documents not indexed) as queries,
 * p50/p99 and recall@10 against an exact scan, and for the durable run a restart from the snapshot.
 * Chunks/s counts chunking + embedding + indexing, all in this process, end to end.
 */
const SIZES = (process.env.BENCH_SIZES ?? '100000').split(',').map(Number);
const DURABLE_MAX = Number(process.env.BENCH_DURABLE_MAX ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1000);
const DIMS = 256;
const TOPICS = 500;
const RECALL_QUERIES = 100;
/** The index's defaults unless BENCH_EXPANSION_SEARCH / BENCH_EXPANSION_ADD say otherwise. */
const hnsw: HnswOptions = {
  expansionSearch: process.env.BENCH_EXPANSION_SEARCH
    ? Number(process.env.BENCH_EXPANSION_SEARCH)
    : undefined,
  expansionAdd: process.env.BENCH_EXPANSION_ADD
    ? Number(process.env.BENCH_EXPANSION_ADD)
    : undefined,
};

const load = () => `[load ${loadavg()[0]!.toFixed(1)}]`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const latencies = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`;
};

/** Seeded pseudo-words: `count` of 3–9 letters. */
function words(random: () => number, count: number) {
  return Array.from({ length: count }, () =>
    Array.from({ length: 3 + Math.floor(random() * 7) }, () =>
      String.fromCharCode(97 + Math.floor(random() * 26)),
    ).join(''),
  );
}

/** One vocabulary for every document and query: 2,000 shared words and 500 topics of 40. */
const vocabulary = (() => {
  const random = createRandom(2026);
  return {
    common: words(random, 2000),
    topics: Array.from({ length: TOPICS }, () => words(random, 40)),
  };
})();

/** An endless supply of Markdown documents, each about one topic; `seed` picks the documents. */
function corpus(seed: number) {
  const random = createRandom(seed);
  const { common, topics } = vocabulary;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const sentence = (topic: readonly string[]) =>
    `${Array.from({ length: 8 + Math.floor(random() * 12) }, () =>
      random() < 0.4 ? pick(topic) : pick(common),
    ).join(' ')}.`;
  return () => {
    const topic = pick(topics);
    const sections = Array.from({ length: 3 + Math.floor(random() * 4) }, (_, s) => {
      const paragraphs = Array.from({ length: 2 + Math.floor(random() * 3) }, () =>
        Array.from({ length: 3 + Math.floor(random() * 5) }, () => sentence(topic)).join(' '),
      );
      return `## ${pick(topic)} ${s + 1}\n\n${paragraphs.join('\n\n')}`;
    });
    return `# ${pick(topic)} ${pick(common)}\n\n${sections.join('\n\n')}\n`;
  };
}

interface EmbeddedChunk {
  id: string;
  vector: Float32Array;
  metadata: { doc: string; index: number; section: string };
}

/** Chunks and embeds documents until `count` chunks; calls `sink` with batches of `batch`. */
async function embedChunks(
  next: () => string,
  count: number,
  batch: number,
  sink: (chunks: EmbeddedChunk[]) => Promise<void> | void,
) {
  let pending: EmbeddedChunk[] = [];
  let made = 0;
  let embedMs = 0;
  for (let doc = 0; made < count; doc++) {
    const t = performance.now();
    const chunks = chunkDocument(next(), { format: 'MARKDOWN' });
    for (const chunk of chunks) {
      if (made === count) break;
      pending.push({
        id: `d${doc}#${chunk.index}`,
        vector: Float32Array.from(hashEmbedding(chunk.text, DIMS)),
        metadata: { doc: `d${doc}`, index: chunk.index, section: chunk.section },
      });
      made += 1;
    }
    embedMs += performance.now() - t;
    if (pending.length >= batch || made === count) {
      await sink(pending);
      pending = [];
    }
  }
  return embedMs;
}

async function openDb(): Promise<{ db: Db; done: () => Promise<void> }> {
  if (!process.env.DATABASE_URL) {
    const db = await createDb({ schema: 'vectors' });
    return { db, done: () => db.close() };
  }
  const name = `mg_bench_ingest_${Date.now()}`;
  const admin = await createDb({ url: process.env.DATABASE_URL, schema: 'public', poolSize: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  const db = await createDb({ url: url.toString(), schema: 'vectors', poolSize: 4 });
  return {
    db,
    done: async () => {
      await db.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** Fresh chunks (of documents not indexed, same vocabulary) as queries. */
function queryVectors(count: number) {
  const next = corpus(99);
  const out: Float32Array[] = [];
  while (out.length < count) {
    for (const chunk of chunkDocument(next(), { format: 'MARKDOWN' })) {
      if (out.length < count) out.push(Float32Array.from(hashEmbedding(chunk.text, DIMS)));
    }
  }
  return out;
}

/**
 * Recall@10 against an exact scan, by distance: a found chunk counts when it is as near as the
 * exact 10th (hashed embeddings of one topic tie often, and a tie is not a miss).
 */
function recallAt10(all: Float32Array, count: number, queries: Float32Array[], found: number[][]) {
  const truth = exactSearch(
    all.subarray(0, count * DIMS),
    queries.slice(0, found.length),
    DIMS,
    10,
    MetricKind.Cos,
  ) as BatchMatches;
  let hits = 0;
  found.forEach((distances, q) => {
    const tenth = truth.get(q).distances[9] as number;
    hits += distances.filter((distance) => distance <= tenth + 1e-5).length;
  });
  return hits / (found.length * 10);
}

async function durable(count: number, queries: Float32Array[]) {
  const { db, done } = await openDb();
  await runMigrations(db, VECTOR_MIGRATIONS);
  const snapshotDir = await mkdtemp(join(tmpdir(), 'mg-bench-ingest-'));
  const index = createUsearchVectorIndex({ db, ...hnsw, snapshotDir });
  await index.createCollection('ingest', { dimensions: DIMS });
  const all = new Float32Array(count * DIMS);
  let stored = 0;
  let indexMs = 0;
  const started = performance.now();
  const embedMs = await embedChunks(corpus(count), count, 1000, async (chunks) => {
    for (const chunk of chunks) all.set(chunk.vector, stored++ * DIMS);
    const t = performance.now();
    await index.upsert('ingest', chunks as VectorItem[]);
    indexMs += performance.now() - t;
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `durable (${db.kind}), ${count} chunks: ${Math.round(count / seconds)} chunks/s (${seconds.toFixed(0)} s: chunk + embed ${(embedMs / 1000).toFixed(0)} s, upsert ${(indexMs / 1000).toFixed(0)} s) ${load()}`,
  );
  const samples: number[] = [];
  const found: number[][] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    const matches = await index.search('ingest', queries[q]!, { topK: 10 });
    samples.push(performance.now() - t);
    if (q < RECALL_QUERIES) found.push(matches.map((m) => 1 - m.score));
  }
  console.log(
    `  search top-10: ${latencies(samples)}; recall@10 ${recallAt10(all, count, queries, found).toFixed(3)} ${load()}`,
  );
  await index.close();
  const restarted = createUsearchVectorIndex({
    db,
    ...hnsw,
    snapshotDir,
    onLoad: (event) => console.log(`  loaded: ${JSON.stringify(event)}`),
  });
  const t = performance.now();
  await restarted.search('ingest', queries[0]!, { topK: 10 });
  console.log(
    `  restart from the snapshot: first search after ${((performance.now() - t) / 1000).toFixed(1)} s ${load()}`,
  );
  await restarted.close();
  await rm(snapshotDir, { recursive: true, force: true });
  await done();
}

async function graphOnly(count: number, queries: Float32Array[]) {
  const memory = new CollectionMemory(DIMS, hnsw);
  const all = new Float32Array(count * DIMS);
  let added = 0;
  let addMs = 0;
  const started = performance.now();
  const embedMs = await embedChunks(corpus(count), count, 10_000, (chunks) => {
    const t = performance.now();
    memory.apply(
      chunks.map((chunk, i) => {
        all.set(chunk.vector, (added + i) * DIMS);
        return { key: added + i, id: chunk.id, vector: chunk.vector, metadata: chunk.metadata };
      }),
    );
    added += chunks.length;
    addMs += performance.now() - t;
    if (added % 100_000 < chunks.length) {
      const s = (performance.now() - started) / 1000;
      console.log(`  … ${added} chunks, ${Math.round(added / s)} chunks/s ${load()}`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `graph only, ${count} chunks: ${Math.round(count / seconds)} chunks/s (${seconds.toFixed(0)} s: chunk + embed ${(embedMs / 1000).toFixed(0)} s, graph ${(addMs / 1000).toFixed(0)} s) ${load()}`,
  );
  const samples: number[] = [];
  const found: number[][] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    const nearest = memory.nearest(queries[q]!, 10);
    samples.push(performance.now() - t);
    if (q < RECALL_QUERIES) found.push(nearest.map((n) => n.distance));
  }
  console.log(
    `  search top-10: ${latencies(samples)}; recall@10 ${recallAt10(all, count, queries, found).toFixed(3)} ${load()}`,
  );
}

console.log(`bench:ingest, hash-embed ${DIMS} dimensions, ${JSON.stringify(hnswSettings(hnsw))}`);
const queries = queryVectors(QUERIES);
for (const count of SIZES) {
  console.log(`\n${count} chunks`);
  if (count <= DURABLE_MAX) await durable(count, queries);
  else await graphOnly(count, queries);
}
