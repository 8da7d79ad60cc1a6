import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { runMigrations, type Db } from '../db/index.js';
import { bruteForceTopK, createRandom, gaussianVectors } from './random-vectors.js';
import {
  createUsearchVectorIndex,
  type UsearchVectorIndexOptions,
} from './usearch-vector-index.js';
import type { VectorIndex, VectorItem } from './vector-index.js';
import { VECTOR_MIGRATIONS } from './vector-store.js';

const DIMS = 16;
const LANGS = ['en', 'de', 'fr', 'es'];

/** 400 items: doc d0..d39 (10 chunks each), lang cycling, chunk position. */
function corpus(seed: number, prefix = 'c'): VectorItem[] {
  const flat = gaussianVectors(createRandom(seed), 400, DIMS);
  return Array.from({ length: 400 }, (_, i) => ({
    id: `${prefix}${i}`,
    vector: flat.subarray(i * DIMS, (i + 1) * DIMS),
    metadata: { doc: `d${Math.floor(i / 10)}`, lang: LANGS[i % 4], chunk: i % 10 },
  }));
}

const ids = (matches: { id: string }[]) => matches.map((m) => m.id);

describe.each(STORE_MODES)('usearch vector index (%s database)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  const indexes: VectorIndex[] = [];
  const open = (options: Partial<UsearchVectorIndexOptions> = {}) => {
    const index = createUsearchVectorIndex({ db, maxStalenessMs: 0, ...options });
    indexes.push(index);
    return index;
  };
  let seq = 0;
  /** A fresh collection holding `items`, through `index`. */
  const collectionWith = async (index: VectorIndex, items: VectorItem[]) => {
    const id = `col_${(seq += 1)}`;
    await index.createCollection(id, { dimensions: DIMS });
    await index.upsert(id, items);
    return id;
  };

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('vectors');
    await runMigrations(db, VECTOR_MIGRATIONS);
  });
  afterAll(async () => {
    await Promise.all(indexes.map((index) => index.close()));
    await database?.drop();
  });

  it('answers the exact nearest items, best first, with their metadata and cosine scores', async () => {
    const items = corpus(1);
    const index = open();
    const collection = await collectionWith(index, items);
    const query = items[7]!.vector;
    const matches = await index.search(collection, query, { topK: 5 });
    const expected = bruteForceTopK(query, items, 5);
    expect(ids(matches)).toEqual(ids(expected));
    expect(matches[0]).toEqual({
      id: 'c7',
      score: expect.closeTo(1, 5),
      metadata: { doc: 'd0', lang: 'es', chunk: 7 },
    });
    matches.forEach((m, i) => expect(m.score).toBeCloseTo(expected[i]!.score, 4));
    expect(await index.count(collection)).toBe(400);
  });

  it('filters on equality and in-lists, by exact scan and by over-fetching the graph alike', async () => {
    const items = corpus(2);
    const exact = open();
    const overfetch = open({ exactScanMaxRows: 0 });
    const collection = await collectionWith(exact, items);
    const query = gaussianVectors(createRandom(99), 1, DIMS);
    const cases = [
      { lang: 'fr' },
      { doc: { in: ['d3', 'd17', 'd30'] } },
      { lang: { in: ['en', 'es'] }, chunk: 4 },
    ] as const;
    for (const filter of cases) {
      const passing = items.filter((item) =>
        Object.entries(filter).every(([field, condition]) => {
          const value = item.metadata![field];
          return typeof condition === 'object'
            ? (condition.in as readonly unknown[]).includes(value)
            : value === condition;
        }),
      );
      const expected = ids(bruteForceTopK(query, passing, 5));
      expect(ids(await exact.search(collection, query, { topK: 5, filter }))).toEqual(expected);
      expect(ids(await overfetch.search(collection, query, { topK: 5, filter }))).toEqual(expected);
    }
    // A filter nothing passes answers nothing; values compare as JSON, so "4" is not 4.
    expect(await exact.search(collection, query, { topK: 5, filter: { lang: 'xx' } })).toEqual([]);
    expect(await overfetch.search(collection, query, { topK: 5, filter: { chunk: '4' } })).toEqual(
      [],
    );
  });

  it('drops matches below minScore and answers fewer than topK then', async () => {
    const items = corpus(3);
    const index = open();
    const collection = await collectionWith(index, items);
    const query = items[42]!.vector;
    const all = bruteForceTopK(query, items, 400);
    const minScore = all[3]!.score - 1e-4;
    const matches = await index.search(collection, query, { topK: 10, minScore });
    expect(ids(matches)).toEqual(ids(all.slice(0, 4)));
    const filtered = await index.search(collection, query, {
      topK: 10,
      minScore,
      filter: { doc: 'd4' },
    });
    expect(filtered.every((m) => m.score >= minScore && m.metadata.doc === 'd4')).toBe(true);
    expect(ids(filtered)).toContain('c42');
  });

  it('deletes and replaces items, durably and in the live index', async () => {
    const items = corpus(4);
    const index = open();
    const collection = await collectionWith(index, items);
    const query = items[10]!.vector;
    const deleted = await index.delete(collection, ['c10', 'c11', 'nope']);
    expect(deleted.deleted).toBe(2);
    expect(ids(await index.search(collection, query, { topK: 400 }))).not.toContain('c10');
    expect(await index.count(collection)).toBe(398);
    // Replacing c20's vector with c10's old one makes it the best match, with its new metadata.
    await index.upsert(collection, [{ id: 'c20', vector: query, metadata: { doc: 'moved' } }]);
    const [best] = await index.search(collection, query, { topK: 1 });
    expect(best).toEqual({ id: 'c20', score: expect.closeTo(1, 5), metadata: { doc: 'moved' } });
    expect(await index.search(collection, query, { topK: 3, filter: { doc: 'd2' } })).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ id: 'c20' })]),
    );
    expect(await index.count(collection)).toBe(398);
  });

  it('never answers another collection’s items, even for the same vectors and ids', async () => {
    const index = open();
    const a = await collectionWith(index, corpus(5, 'a'));
    const b = await collectionWith(index, corpus(5, 'b'));
    const shared = corpus(5)[3]!.vector;
    // Asked for every item, the graph answers nearly all (it is approximate), and only a's.
    const fromA = await index.search(a, shared, { topK: 400 });
    expect(fromA.length).toBeGreaterThan(300);
    expect(fromA.every((m) => m.id.startsWith('a'))).toBe(true);
    await index.delete(b, ['a3', 'b3']);
    expect(await index.count(a)).toBe(400);
    expect((await index.search(a, shared, { topK: 1 }))[0]!.id).toBe('a3');
    expect((await index.search(b, shared, { topK: 1 }))[0]!.id).not.toBe('b3');
  });

  it('rebuilds from the table after a restart to the same answers as the live index', async () => {
    const items = corpus(6);
    const live = open();
    const collection = await collectionWith(live, items);
    await live.delete(collection, ['c1', 'c2']);
    await live.upsert(collection, [{ id: 'c5', vector: items[6]!.vector, metadata: { x: 1 } }]);
    const restarted = open();
    const stored = [
      ...items.filter((item) => !['c1', 'c2', 'c5'].includes(item.id)),
      { id: 'c5', vector: items[6]!.vector },
    ];
    const queries = gaussianVectors(createRandom(7), 20, DIMS);
    let found = 0;
    for (let q = 0; q < 20; q++) {
      const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
      if (q % 2) {
        // A selective filter is answered by an exact scan of the table: the very same answers.
        const options = { topK: 10, filter: { lang: 'en' } };
        expect(await restarted.search(collection, query, options)).toEqual(
          await live.search(collection, query, options),
        );
        continue;
      }
      // Unfiltered, the graph answers. Two graphs of the same items (built in another order, by
      // several threads) may each miss a different near neighbour: both are held to brute force.
      const exact = ids(bruteForceTopK(query, stored, 10));
      for (const index of [live, restarted]) {
        const answer = ids(await index.search(collection, query, { topK: 10 }));
        found += answer.filter((id) => exact.includes(id)).length;
      }
    }
    expect(found / (10 * 2 * 10)).toBeGreaterThanOrEqual(0.9);
    await live.rebuild(collection);
    // c5 and c6 now hold the same vector. A graph of identical points may reach either one first
    // and miss the other (a CI run saw the restarted graph answer c6, c57), so each index is held
    // to the table, not to the other: an exact match first, and c5 as last written, never c1/c2.
    for (const index of [live, restarted]) {
      const answer = await index.search(collection, items[6]!.vector, { topK: 2 });
      expect(['c5', 'c6']).toContain(answer[0]!.id);
      expect(answer[0]!.score).toBeCloseTo(1, 5);
      expect(ids(answer)).not.toContain('c1');
      expect(ids(answer)).not.toContain('c2');
      const c5 = answer.find((m) => m.id === 'c5');
      if (c5) expect(c5.metadata).toEqual({ x: 1 });
    }
  });

  it('catches up with writes another replica made', async () => {
    const items = corpus(8);
    const replicaA = open();
    const replicaB = open();
    const collection = await collectionWith(replicaA, items.slice(0, 100));
    expect(await replicaB.count(collection)).toBe(100);
    expect(await replicaB.search(collection, items[0]!.vector, { topK: 1 })).toHaveLength(1);
    // B has loaded the collection; A writes more, deletes and replaces; B's next search sees it.
    await replicaA.upsert(collection, items.slice(100, 200));
    await replicaA.delete(collection, ['c0']);
    await replicaA.upsert(collection, [{ id: 'c1', vector: items[150]!.vector, metadata: {} }]);
    // (Each replica's graph is approximate in its own way: B is asked only what any graph of
    // these items answers exactly, an item's own vector.)
    const fromB = await replicaB.search(collection, items[150]!.vector, { topK: 2 });
    expect(ids(fromB).sort()).toEqual(['c1', 'c150']);
    expect(ids(await replicaB.search(collection, items[120]!.vector, { topK: 1 }))).toEqual([
      'c120',
    ]);
    expect(ids(await replicaB.search(collection, items[0]!.vector, { topK: 5 }))).not.toContain(
      'c0',
    );
    expect(await replicaB.count(collection)).toBe(199);
    // B writes after missing nothing; A then sees B's write as well.
    await replicaB.upsert(collection, [{ id: 'late', vector: items[0]!.vector }]);
    expect((await replicaA.search(collection, items[0]!.vector, { topK: 1 }))[0]!.id).toBe('late');
  });

  it('refuses bad input with coded errors and keeps nothing of a refused write', async () => {
    const index = open();
    const collection = await collectionWith(index, corpus(9).slice(0, 10));
    const badInput = (reason: string) => ({ extensions: { code: 'BAD_USER_INPUT', reason } });
    await expect(
      index.upsert(collection, [
        { id: 'ok', vector: new Float32Array(DIMS).fill(1) },
        { id: 'x', vector: [1, 2, 3] },
      ]),
    ).rejects.toMatchObject({
      ...badInput('DIMENSION_MISMATCH'),
      message: 'The vector of item "x" has 3 dimensions; the collection\'s vectors have 16.',
    });
    await expect(index.search(collection, [1, 2], { topK: 3 })).rejects.toMatchObject(
      badInput('DIMENSION_MISMATCH'),
    );
    await expect(
      index.upsert(collection, [{ id: 'z', vector: new Float32Array(DIMS) }]),
    ).rejects.toMatchObject(badInput('INVALID_VECTOR'));
    const v = new Float32Array(DIMS).fill(1);
    await expect(index.search(collection, v, { topK: 0 })).rejects.toMatchObject(
      badInput('INVALID_TOP_K'),
    );
    await expect(index.search(collection, v, { topK: 1, minScore: 2 })).rejects.toMatchObject(
      badInput('INVALID_MIN_SCORE'),
    );
    await expect(
      index.search(collection, v, { topK: 1, filter: { lang: { in: [] } } }),
    ).rejects.toMatchObject(badInput('INVALID_FILTER'));
    await expect(
      index.upsert(collection, [
        { id: 'd', vector: v },
        { id: 'd', vector: v },
      ]),
    ).rejects.toMatchObject(badInput('DUPLICATE_ID'));
    expect(await index.count(collection)).toBe(10);
    await expect(index.search('missing', v, { topK: 1 })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    await expect(index.createCollection(collection, { dimensions: 8 })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', reason: 'DIMENSION_MISMATCH', expected: DIMS },
    });
    await expect(index.createCollection(collection, { dimensions: DIMS })).resolves.toBeUndefined();
  });

  it('drops a collection with its items, for every replica', async () => {
    const index = open();
    const other = open();
    const collection = await collectionWith(index, corpus(10).slice(0, 20));
    expect(await other.search(collection, corpus(10)[0]!.vector, { topK: 1 })).toHaveLength(1);
    await index.dropCollection(collection);
    expect(await index.describeCollection(collection)).toBeUndefined();
    await expect(
      other.search(collection, corpus(10)[0]!.vector, { topK: 1 }),
    ).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM vector_items WHERE collection_id = $1',
      [collection],
    );
    expect(rows[0]!.n).toBe('0');
  });
});
