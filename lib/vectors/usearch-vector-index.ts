import { exactSearch, MetricKind, type Matches } from 'usearch';
import type { Db } from '../db/index.js';
import { badUserInput, conflict, notFound } from '../errors.js';
import { CollectionMemory, type HnswOptions } from './collection-memory.js';
import { compileFilter, matchesFilter, type CompiledFilter } from './metadata-filter.js';
import { createSnapshotFiles } from './snapshot-files.js';
import { restoreSnapshot, type SnapshotMiss } from './snapshot-restore.js';
import type { VectorIndex, VectorItem, VectorMatch, VectorSearchOptions } from './vector-index.js';
import { createVectorStore } from './vector-store.js';

export interface UsearchVectorIndexOptions extends HnswOptions {
  /** The owning subgraph's database, with VECTOR_MIGRATIONS applied. */
  db: Db;
  /**
   * How old this process's view of a collection may be before a search checks the durable version
   * (one small query) and applies other replicas' writes. Writes made through this process are
   * visible to its next search whatever this is. @default 1000
   */
  maxStalenessMs?: number;
  /**
   * A filter passing at most this many items is answered by an exact scan of their stored vectors
   * (read from the database: ~0.03 ms a row on PostgreSQL, ~0.3 ms on PGlite, measured in
   * bench/RESULTS.md) instead of the graph. @default 2000
   */
  exactScanMaxRows?: number;
  /** Rows read per query while loading a collection. @default 5000 */
  loadPageSize?: number;
  /**
   * Where collection snapshots (graph, keys, version) are saved and loaded from; without it a
   * process builds each graph from the table when it first uses the collection.
   */
  snapshotDir?: string;
  /**
   * A collection is saved once its graph has at least this many adds and removes that its
   * snapshot lacks, and a quarter of its size (a save writes the whole graph, so saves grow
   * apart as the collection grows): checked after each write, load and catch-up; and at `close`.
   * @default 10000
   */
  snapshotAfterChanges?: number;
  /** Told how each collection was loaded (for logs and tests). */
  onLoad?: (event: CollectionLoad) => void;
  /** Told when a snapshot could not be saved (the index works on; the next restart rebuilds). */
  onSnapshotError?: (collectionId: string, error: unknown) => void;
  /** @default performance.now */
  now?: () => number;
}

/** How a collection came into this process's memory. */
export interface CollectionLoad {
  collectionId: string;
  /** `snapshot`: the saved graph, then the writes after it; `table`: the graph built anew. */
  from: 'snapshot' | 'table';
  /** Why the snapshot was not used (`none`: there was none, or snapshots are off). */
  snapshotMiss?: SnapshotMiss;
  /** The version the snapshot held. */
  snapshotVersion?: number;
  /** Items in memory once caught up. */
  size: number;
  version: number;
}

/** The usearch index, with what only an in-process engine has. */
export interface UsearchVectorIndex extends VectorIndex {
  /**
   * Saves the collection's graph now (after it is loaded and caught up); false when snapshots are
   * off or the collection is not loaded in this process.
   */
  snapshot(collectionId: string): Promise<boolean>;
}

export const MAX_TOP_K = 1000;

/** Best first; equal scores (duplicate vectors) by id, so every replica answers in one order. */
const byScore = (matches: VectorMatch[]) =>
  matches.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
/** The graph is over-fetched by this factor past the expected number of passing items. */
const OVERFETCH_SAFETY = 2;

/**
 * The VectorIndex built in here (decision 97): an HNSW graph per collection in process memory
 * (usearch), PostgreSQL as the truth. A collection is loaded from its table on first use and kept
 * in step with writes made through this process at once, and with other replicas' writes when a
 * search finds the durable version moved (see `maxStalenessMs`).
 */
export function createUsearchVectorIndex(options: UsearchVectorIndexOptions): UsearchVectorIndex {
  const store = createVectorStore(options.db);
  const files = options.snapshotDir ? createSnapshotFiles(options.snapshotDir) : undefined;
  const snapshotAfterChanges = options.snapshotAfterChanges ?? 10_000;
  const now = options.now ?? (() => performance.now());
  const maxStalenessMs = options.maxStalenessMs ?? 1000;
  const exactScanMaxRows = options.exactScanMaxRows ?? 2000;
  const loadPageSize = options.loadPageSize ?? 5000;
  const loaded = new Map<string, Promise<CollectionMemory>>();
  // Writes and catch-ups of one collection take turns, so versions apply here in order.
  const turns = new Map<string, Promise<unknown>>();
  let closed = false;

  const inTurn = <T>(collectionId: string, fn: () => Promise<T>): Promise<T> => {
    const run = (turns.get(collectionId) ?? Promise.resolve()).then(fn, fn);
    turns.set(
      collectionId,
      run.catch(() => undefined),
    );
    return run;
  };

  /** Applies every write committed after `memory.version`; drops the memory if the collection went. */
  const catchUp = async (collectionId: string, memory: CollectionMemory) => {
    // The head is read first: whatever commits later is above it and is read again next time.
    const head = await store.describe(collectionId);
    memory.checkedAt = now();
    if (!head) {
      loaded.delete(collectionId);
      throw notFound('Collection', collectionId);
    }
    if (head.version === memory.version) return;
    memory.remove(await store.tombstonesSince(collectionId, memory.version));
    for (let afterKey = 0; ;) {
      const page = await store.itemsSince(collectionId, memory.version, afterKey, loadPageSize);
      memory.apply(page);
      if (page.length < loadPageSize) break;
      afterKey = (page[page.length - 1] as { key: number }).key;
    }
    memory.version = head.version;
  };

  const saving = new Map<string, Promise<boolean>>();

  /** Saves the memory's graph at its version; false when snapshots are off or one is running. */
  const save = (collectionId: string, memory: CollectionMemory): Promise<boolean> => {
    if (!files || saving.has(collectionId))
      return saving.get(collectionId) ?? Promise.resolve(false);
    const run = (async () => {
      const createdAt = await store.createdAt(collectionId);
      if (!createdAt) return false;
      // In the collection's turn, so the graph, its keys and the version are one point in time;
      // the file is written then, and the turn is let go before the checksum and renames.
      const { written } = await inTurn(collectionId, async () => {
        const unsaved = memory.unsaved;
        memory.unsaved = 0;
        const manifest = {
          collectionId,
          createdAt,
          dimensions: memory.dimensions,
          quantization: memory.settings.quantization,
          connectivity: memory.settings.connectivity,
          version: memory.version,
        };
        const keys = Float64Array.from(memory.entries.keys());
        const saved = files.save(manifest, (path) => memory.hnsw.save(path), keys);
        saved.catch(() => (memory.unsaved += unsaved));
        return { written: saved };
      });
      await written;
      return true;
    })()
      .catch((error: unknown) => {
        options.onSnapshotError?.(collectionId, error);
        return false;
      })
      .finally(() => saving.delete(collectionId));
    saving.set(collectionId, run);
    return run;
  };

  /** Starts a save when the graph has enough changes its snapshot lacks. */
  const saveIfDue = (collectionId: string, memory: CollectionMemory) => {
    const due = memory.unsaved >= Math.max(snapshotAfterChanges, memory.size / 4);
    if (files && due && loaded.has(collectionId)) {
      void save(collectionId, memory);
    }
  };

  /** The collection from its snapshot (unless `fromTable`) or its table, caught up. */
  const load = async (collectionId: string, fromTable = false): Promise<CollectionMemory> => {
    const info = await store.describe(collectionId);
    if (!info) throw notFound('Collection', collectionId);
    let restored: CollectionMemory | SnapshotMiss = 'none';
    if (files && !fromTable) {
      const createdAt = await store.createdAt(collectionId);
      if (createdAt) {
        restored = await restoreSnapshot(
          files,
          store,
          { ...info, createdAt },
          { ...options, pageSize: loadPageSize },
        );
      }
    }
    const memory =
      typeof restored === 'string' ? new CollectionMemory(info.dimensions, options) : restored;
    const snapshotVersion = typeof restored === 'string' ? undefined : memory.version;
    await inTurn(collectionId, () => catchUp(collectionId, memory));
    options.onLoad?.({
      collectionId,
      from: snapshotVersion === undefined ? 'table' : 'snapshot',
      snapshotMiss: typeof restored === 'string' ? restored : undefined,
      snapshotVersion,
      size: memory.size,
      version: memory.version,
    });
    return memory;
  };

  /** The collection's memory, loaded if needed and caught up if older than maxStalenessMs. */
  const memoryOf = async (collectionId: string): Promise<CollectionMemory> => {
    if (closed) throw new Error('This vector index is closed.');
    let loading = loaded.get(collectionId);
    if (!loading) {
      loading = load(collectionId);
      loaded.set(collectionId, loading);
      loading.catch(() => loaded.delete(collectionId));
    }
    const memory = await loading;
    if (now() - memory.checkedAt >= maxStalenessMs) {
      await inTurn(collectionId, () => catchUp(collectionId, memory));
    }
    saveIfDue(collectionId, memory);
    return memory;
  };

  const checkVector = (vector: ArrayLike<number>, dimensions: number, what: string) => {
    if (vector.length !== dimensions) {
      throw badUserInput(
        `${what} has ${vector.length} dimensions; the collection's vectors have ${dimensions}.`,
        { reason: 'DIMENSION_MISMATCH', expected: dimensions, received: vector.length },
      );
    }
    let norm = 0;
    for (let i = 0; i < vector.length; i++) {
      const x = vector[i] as number;
      if (!Number.isFinite(x)) {
        throw badUserInput(`${what} holds a value that is not a finite number.`, {
          reason: 'INVALID_VECTOR',
        });
      }
      norm += x * x;
    }
    if (norm === 0) {
      throw badUserInput(`${what} is all zeros; cosine similarity is undefined for it.`, {
        reason: 'INVALID_VECTOR',
      });
    }
  };

  const toMatches = (
    memory: CollectionMemory,
    found: readonly { key: number; distance: number }[],
    filter: CompiledFilter,
    search: VectorSearchOptions,
  ): { matches: VectorMatch[]; complete: boolean } => {
    const matches: VectorMatch[] = [];
    for (const { key, distance } of found) {
      const score = 1 - distance;
      // `found` is nearest first: past minScore, nothing further can pass.
      if (search.minScore !== undefined && score < search.minScore) {
        return { matches, complete: true };
      }
      const entry = memory.entries.get(key);
      if (!entry || !matchesFilter(entry.metadata, filter)) continue;
      matches.push({ id: entry.id, score, metadata: entry.metadata });
      if (matches.length === search.topK) return { matches: byScore(matches), complete: true };
    }
    return { matches: byScore(matches), complete: false };
  };

  /** Exact cosine search over the stored vectors of `keys` (a selective filter's items). */
  const exactScan = async (
    collectionId: string,
    memory: CollectionMemory,
    query: Float32Array,
    keys: readonly number[],
    topK: number,
  ) => {
    if (keys.length === 0) return [];
    const rows = await store.vectorsByKey(collectionId, keys);
    if (rows.length === 0) return [];
    const dataset = new Float32Array(rows.length * memory.dimensions);
    rows.forEach((row, i) => dataset.set(row.vector, i * memory.dimensions));
    const k = Math.min(topK, rows.length);
    const found = exactSearch(dataset, query, memory.dimensions, k, MetricKind.Cos) as Matches;
    return Array.from(found.keys, (position, i) => ({
      key: (rows[Number(position)] as { key: number }).key,
      distance: found.distances[i] as number,
    }));
  };

  return {
    async createCollection(collectionId, { dimensions }) {
      if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 4096) {
        throw badUserInput('A collection has 1 to 4096 dimensions.', {
          reason: 'INVALID_DIMENSIONS',
        });
      }
      const stored = await store.createCollection(collectionId, dimensions);
      if (stored.dimensions !== dimensions) {
        throw conflict(
          `Collection "${collectionId}" exists with ${stored.dimensions} dimensions, not ${dimensions}.`,
          { reason: 'DIMENSION_MISMATCH', expected: stored.dimensions, received: dimensions },
        );
      }
    },

    async dropCollection(collectionId) {
      await store.dropCollection(collectionId);
      loaded.delete(collectionId);
      turns.delete(collectionId);
      await saving.get(collectionId);
      await files?.remove(collectionId);
    },

    describeCollection: (collectionId) => store.describe(collectionId),

    async upsert(collectionId, items: readonly VectorItem[]) {
      const memory = await memoryOf(collectionId);
      const ids = new Set<string>();
      items.forEach((item, i) => {
        if (typeof item.id !== 'string' || item.id.length === 0 || item.id.length > 512) {
          throw badUserInput(`Item ${i} needs an id of 1 to 512 characters.`, {
            reason: 'INVALID_ID',
          });
        }
        if (ids.has(item.id)) {
          throw badUserInput(`Item id "${item.id}" appears twice in one upsert.`, {
            reason: 'DUPLICATE_ID',
          });
        }
        ids.add(item.id);
        checkVector(item.vector, memory.dimensions, `The vector of item "${item.id}"`);
        const metadata = item.metadata ?? {};
        if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
          throw badUserInput(`The metadata of item "${item.id}" must be a JSON object.`, {
            reason: 'INVALID_METADATA',
          });
        }
      });
      if (items.length === 0) return { version: memory.version };
      const written = await inTurn(collectionId, async () => {
        const { version, keys } = await store.upsert(collectionId, memory.dimensions, items);
        if (version !== memory.version + 1) {
          // Another replica wrote in between: read everything since, ours included.
          await catchUp(collectionId, memory);
          return { version };
        }
        const byId = new Map(items.map((item) => [item.id, item]));
        memory.apply(
          keys.map(({ id, key }) => {
            const item = byId.get(id) as VectorItem;
            return {
              key,
              id,
              vector: Float32Array.from(item.vector),
              metadata: item.metadata ?? {},
            };
          }),
        );
        memory.version = version;
        return { version };
      });
      saveIfDue(collectionId, memory);
      return written;
    },

    async delete(collectionId, ids) {
      const memory = await memoryOf(collectionId);
      if (ids.length === 0) return { deleted: 0, version: memory.version };
      const deleted = await inTurn(collectionId, async () => {
        const { version, keys } = await store.delete(collectionId, ids);
        if (version !== memory.version + 1) await catchUp(collectionId, memory);
        else {
          memory.remove(keys);
          memory.version = version;
        }
        return { deleted: keys.length, version };
      });
      saveIfDue(collectionId, memory);
      return deleted;
    },

    async search(collectionId, vector, search) {
      if (!Number.isInteger(search.topK) || search.topK < 1 || search.topK > MAX_TOP_K) {
        throw badUserInput(`topK must be an integer from 1 to ${MAX_TOP_K}.`, {
          reason: 'INVALID_TOP_K',
        });
      }
      const { minScore } = search;
      if (minScore !== undefined && !(minScore >= -1 && minScore <= 1)) {
        throw badUserInput('minScore must be between -1 and 1.', { reason: 'INVALID_MIN_SCORE' });
      }
      const filter = compileFilter(search.filter);
      const memory = await memoryOf(collectionId);
      checkVector(vector, memory.dimensions, 'The query vector');
      const query = Float32Array.from(vector);
      const size = memory.size;
      if (filter.length === 0) {
        return toMatches(memory, memory.nearest(query, search.topK), filter, search).matches;
      }
      // How many items pass: exact for the most selective condition, the rest assumed independent.
      const counts = filter.map((condition) => memory.postings.countMatching(condition));
      const narrowest = counts.indexOf(Math.min(...counts));
      const narrowestCount = counts[narrowest] as number;
      if (narrowestCount <= exactScanMaxRows) {
        const keys: number[] = [];
        for (const key of memory.postings.keysMatching(
          filter[narrowest] as CompiledFilter[number],
        )) {
          const entry = memory.entries.get(key);
          if (entry && matchesFilter(entry.metadata, filter)) keys.push(key);
        }
        const found = await exactScan(collectionId, memory, query, keys, search.topK);
        return toMatches(memory, found, filter, search).matches;
      }
      const expected = counts.reduce((passing, count) => (passing * count) / size, size);
      let k = Math.min(
        size,
        Math.ceil((OVERFETCH_SAFETY * search.topK * size) / Math.max(expected, 1)),
      );
      for (;;) {
        const { matches, complete } = toMatches(memory, memory.nearest(query, k), filter, search);
        // Fewer than topK passed: the guess was short, unless the whole graph was read.
        if (complete || k >= size) return matches;
        k = Math.min(size, k * 4);
      }
    },

    async count(collectionId) {
      const info = await store.describe(collectionId);
      if (!info) throw notFound('Collection', collectionId);
      return info.count;
    },

    async rebuild(collectionId) {
      // The old graph is dropped for the garbage collector; searches already running keep it.
      // Built from the table, not the snapshot (a rebuild compacts or repairs), then saved.
      const fresh = load(collectionId, true);
      loaded.set(collectionId, fresh);
      fresh.catch(() => loaded.delete(collectionId));
      const memory = await fresh;
      await save(collectionId, memory);
    },

    async snapshot(collectionId) {
      const memory = await loaded.get(collectionId)?.catch(() => undefined);
      if (!memory) return false;
      await saving.get(collectionId); // one already running may hold an older version
      return save(collectionId, memory);
    },

    async close() {
      closed = true;
      // Graphs with changes their snapshots lack are saved, so the next start loads them.
      const pending = [...loaded].map(async ([collectionId, loading]) => {
        const memory = await loading.catch(() => undefined);
        await saving.get(collectionId);
        if (memory && memory.unsaved > 0) await save(collectionId, memory);
      });
      await Promise.all([...pending, ...saving.values()]);
      loaded.clear();
    },
  };
}
