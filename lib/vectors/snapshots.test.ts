import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { runMigrations, type Db } from '../db/index.js';
import { bruteForceTopK, clusteredVectors, createRandom } from './random-vectors.js';
import {
  createUsearchVectorIndex,
  type CollectionLoad,
  type UsearchVectorIndex,
  type UsearchVectorIndexOptions,
} from './usearch-vector-index.js';
import type { VectorItem } from './vector-index.js';
import { VECTOR_MIGRATIONS } from './vector-store.js';

const DIMS = 32;
const COUNT = 2000;
const QUERIES = 30;
const TOP_K = 10;

/** `count` clustered items (20 a cluster) with ids `${prefix}${i}`, and `QUERIES` fresh queries. */
function corpus(seed: number, prefix: string, count = COUNT) {
  const flat = clusteredVectors(createRandom(seed), count + QUERIES, DIMS, count / 20);
  const items: VectorItem[] = Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    vector: flat.slice(i * DIMS, (i + 1) * DIMS),
    metadata: { part: i % 4 },
  }));
  const queries = Array.from({ length: QUERIES }, (_, q) =>
    flat.slice((count + q) * DIMS, (count + q + 1) * DIMS),
  );
  return { items, queries };
}

/** Share of the exact top 10 (over the live items) found, across the queries. */
async function recall(
  index: UsearchVectorIndex,
  collection: string,
  live: VectorItem[],
  queries: Float32Array[],
) {
  let hits = 0;
  for (const query of queries) {
    const found = new Set(
      (await index.search(collection, query, { topK: TOP_K })).map((m) => m.id),
    );
    hits += bruteForceTopK(query, live, TOP_K).filter((m) => found.has(m.id)).length;
  }
  return hits / (queries.length * TOP_K);
}

describe.each(STORE_MODES)('vector index snapshots (%s database)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  const indexes: UsearchVectorIndex[] = [];
  const loads: CollectionLoad[] = [];
  const snapshotErrors: unknown[] = [];
  const open = (options: Partial<UsearchVectorIndexOptions> = {}) => {
    const index = createUsearchVectorIndex({
      db,
      maxStalenessMs: 0,
      snapshotDir: dir,
      snapshotAfterChanges: 1_000_000,
      onLoad: (event) => loads.push(event),
      onSnapshotError: (_, error) => snapshotErrors.push(error),
      ...options,
    });
    indexes.push(index);
    return index;
  };
  const lastLoad = (collectionId: string) =>
    loads.filter((l) => l.collectionId === collectionId).at(-1);

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('vectors');
    await runMigrations(db, VECTOR_MIGRATIONS);
    dir = await mkdtemp(join(tmpdir(), 'mg-vector-snapshots-'));
  });
  afterEach(() => {
    expect(snapshotErrors).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(indexes.map((index) => index.close()));
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('restarts from the snapshot, catches up the writes made after it, and answers as before', async () => {
    const { items, queries } = corpus(1, 'a');
    const first = open();
    await first.createCollection('kept', { dimensions: DIMS });
    await first.upsert('kept', items);
    expect(await first.snapshot('kept')).toBe(true);
    const snapshotVersion = (await first.describeCollection('kept'))!.version;

    // After the snapshot: new items, deletes, and ids given new vectors (new keys).
    const more = corpus(2, 'b', 200).items;
    await first.upsert('kept', more);
    const gone = items.slice(0, 100).map((item) => item.id);
    await first.delete('kept', gone);
    const elsewhere = corpus(8, 'x', 100).items;
    const moved = items.slice(100, 150).map((item, i) => ({
      ...item,
      vector: elsewhere[i]!.vector,
    }));
    await first.upsert('kept', moved);
    const head = (await first.describeCollection('kept'))!.version;
    const live = [...moved, ...items.slice(150), ...more];
    const before = await Promise.all(queries.map((q) => first.search('kept', q, { topK: TOP_K })));

    const restarted = open();
    const after = await Promise.all(
      queries.map((q) => restarted.search('kept', q, { topK: TOP_K })),
    );
    expect(lastLoad('kept')).toMatchObject({
      from: 'snapshot',
      snapshotVersion,
      version: head,
      size: live.length,
    });
    let same = 0;
    after.forEach((matches, q) => {
      const earlier = new Set(before[q]!.map((m) => m.id));
      same += matches.filter((m) => earlier.has(m.id)).length;
      for (const m of matches) expect(gone).not.toContain(m.id);
    });
    expect(same / (QUERIES * TOP_K)).toBeGreaterThanOrEqual(0.95);
    expect(await recall(restarted, 'kept', live, queries)).toBeGreaterThanOrEqual(0.95);
    // A moved id is found at its new vector, with its stored metadata.
    const [top] = await restarted.search('kept', moved[7]!.vector, { topK: 1 });
    expect(top).toMatchObject({ id: moved[7]!.id, metadata: moved[7]!.metadata });
    expect(top!.score).toBeCloseTo(1, 5);
    // Filters use the metadata re-read from the table.
    const filtered = await restarted.search('kept', queries[0]!, { topK: 5, filter: { part: 2 } });
    expect(filtered.length).toBe(5);
    expect(filtered.every((m) => m.metadata.part === 2)).toBe(true);
  });

  it('saves on its own after enough changes and at close, so the next start loads the newest graph', async () => {
    const { items, queries } = corpus(3, 'c');
    const first = open({ snapshotAfterChanges: 500 });
    await first.createCollection('auto', { dimensions: DIMS });
    for (let start = 0; start < COUNT; start += 400) {
      await first.upsert('auto', items.slice(start, start + 400));
    }
    await first.delete('auto', ['c0', 'c1']);
    await first.close();
    const head = (await first.describeCollection('auto'))!.version;

    const restarted = open();
    expect(await recall(restarted, 'auto', items.slice(2), queries)).toBeGreaterThanOrEqual(0.95);
    // close saved the last writes too: nothing was left to catch up.
    expect(lastLoad('auto')).toMatchObject({ from: 'snapshot', snapshotVersion: head });
  });

  it('falls back to building from the table when the snapshot file is corrupt', async () => {
    const { items, queries } = corpus(4, 'd');
    const first = open();
    await first.createCollection('torn', { dimensions: DIMS });
    await first.upsert('torn', items);
    await first.snapshot('torn');
    const graphs = (await readdir(dir)).filter((name) => name.endsWith('.usearch'));
    // Every graph in the directory is overwritten: garbage of a plausible size.
    await Promise.all(graphs.map((name) => writeFile(join(dir, name), Buffer.alloc(64 * 1024, 7))));

    const restarted = open();
    expect(await recall(restarted, 'torn', items, queries)).toBeGreaterThanOrEqual(0.95);
    expect(lastLoad('torn')).toMatchObject({
      from: 'table',
      snapshotMiss: 'unreadable',
      size: COUNT,
    });
  });

  it('does not use the snapshot of a collection dropped and made again', async () => {
    const { items, queries } = corpus(5, 'e');
    const first = open();
    await first.createCollection('again', { dimensions: DIMS });
    await first.upsert('again', items);
    await first.snapshot('again');
    // Dropped behind this process's back (another replica, or the table restored): the file stays.
    await db.query(`DELETE FROM vector_collections WHERE id = 'again'`);
    const fresh = corpus(6, 'f', 500);
    await first.createCollection('again', { dimensions: DIMS });
    const restarted = open();
    await restarted.upsert('again', fresh.items);
    expect(lastLoad('again')).toMatchObject({ from: 'table', snapshotMiss: 'foreign' });
    const matches = await restarted.search('again', queries[0]!, { topK: TOP_K });
    expect(matches.every((m) => m.id.startsWith('f'))).toBe(true);
    expect(await recall(restarted, 'again', fresh.items, fresh.queries)).toBeGreaterThanOrEqual(
      0.95,
    );
  });

  it('removes the snapshot with its collection', async () => {
    const first = open();
    await first.createCollection('dropped', { dimensions: DIMS });
    await first.upsert('dropped', corpus(7, 'g', 100).items);
    const filesBefore = (await readdir(dir)).length;
    await first.snapshot('dropped');
    expect((await readdir(dir)).length).toBe(filesBefore + 3);
    await first.dropCollection('dropped');
    expect((await readdir(dir)).length).toBe(filesBefore);
  });
});
