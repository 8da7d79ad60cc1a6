import { Index, MetricKind, ScalarKind } from 'usearch';
import { MetadataPostings } from './metadata-filter.js';
import type { VectorMetadata } from './vector-index.js';
import type { StoredItem } from './vector-store.js';

/** HNSW parameters (usearch's names); see decision 97 for the measured trade-off. */
export interface HnswOptions {
  /** Links per node (M). @default 16 */
  connectivity?: number;
  /** Candidates considered while inserting (efConstruction). @default 64 */
  expansionAdd?: number;
  /** Candidates considered while searching (ef); raised to k when k is larger. @default 256 */
  expansionSearch?: number;
  /** How vectors are held in memory: f32, f16 or i8 (a quarter of f32's memory). @default 'f32' */
  quantization?: 'f32' | 'f16' | 'i8';
  /** Threads for bulk adds (loads and rebuilds); 0 means every core. @default 0 */
  addThreads?: number;
}

/** The defaults, chosen by the measurements in decision 97 (recall@10 ≥ 0.95 at the fastest build). */
export const HNSW_DEFAULTS = {
  connectivity: 16,
  expansionAdd: 64,
  expansionSearch: 256,
  quantization: 'f32',
  addThreads: 0,
} as const satisfies Required<HnswOptions>;

/** The options with every default filled in. */
export const hnswSettings = (options: HnswOptions): Required<HnswOptions> => ({
  connectivity: options.connectivity ?? HNSW_DEFAULTS.connectivity,
  expansionAdd: options.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
  expansionSearch: options.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
  quantization: options.quantization ?? HNSW_DEFAULTS.quantization,
  addThreads: options.addThreads ?? HNSW_DEFAULTS.addThreads,
});

interface Entry {
  id: string;
  metadata: VectorMetadata;
}

/**
 * What one process holds of one collection: the HNSW graph (usearch), each key's id and metadata,
 * the metadata postings, and the collection version it has caught up to. One id has one key at a
 * time: a newer key for an id (keys grow with versions within a collection) replaces the older.
 */
export class CollectionMemory {
  readonly hnsw: Index;
  readonly entries = new Map<number, Entry>();
  readonly keyOfId = new Map<string, number>();
  readonly postings = new MetadataPostings();
  /** The collection version every write up to which is applied here. */
  version = 0;
  /** When this process last checked the durable version (ms, performance.now()). */
  checkedAt = -Infinity;
  /** Keys removed from the graph since it was built (usearch keeps their slots). */
  removed = 0;
  /** Keys added or removed since the graph was last saved as a snapshot (or built). */
  unsaved = 0;

  readonly settings: Required<HnswOptions>;

  constructor(
    readonly dimensions: number,
    options: HnswOptions,
  ) {
    this.settings = hnswSettings(options);
    this.hnsw = new Index({
      dimensions,
      metric: MetricKind.Cos,
      quantization: this.settings.quantization as ScalarKind,
      connectivity: this.settings.connectivity,
      expansion_add: this.settings.expansionAdd,
      expansion_search: this.settings.expansionSearch,
      multi: false,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds stored items (newer keys replace an id's older one; a known or older key is skipped). */
  apply(items: readonly StoredItem[]): void {
    const fresh: StoredItem[] = [];
    for (const item of items) {
      if (this.entries.has(item.key)) continue;
      const current = this.keyOfId.get(item.id);
      if (current !== undefined && current > item.key) continue;
      if (current !== undefined) this.remove([current]);
      fresh.push(item);
    }
    if (fresh.length === 0) return;
    const keys = new BigUint64Array(fresh.length);
    const vectors = new Float32Array(fresh.length * this.dimensions);
    fresh.forEach((item, i) => {
      keys[i] = BigInt(item.key);
      vectors.set(item.vector, i * this.dimensions);
    });
    // One item is added on this thread; a batch on every core the options allow.
    this.hnsw.add(keys, vectors, fresh.length === 1 ? 1 : this.settings.addThreads);
    for (const item of fresh) this.adopt(item);
    this.unsaved += fresh.length;
  }

  /** Takes an item whose vector the graph already holds (one restored from a snapshot). */
  adopt(item: { key: number; id: string; metadata: VectorMetadata }): void {
    this.entries.set(item.key, { id: item.id, metadata: item.metadata });
    this.keyOfId.set(item.id, item.key);
    this.postings.add(item.key, item.metadata);
  }

  /** Removes from the graph a key no stored item has any longer (one a snapshot still held). */
  forget(key: number): void {
    this.hnsw.remove(BigInt(key));
    this.removed += 1;
    this.unsaved += 1;
  }

  remove(keys: readonly number[]): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.hnsw.remove(BigInt(key));
      this.entries.delete(key);
      if (this.keyOfId.get(entry.id) === key) this.keyOfId.delete(entry.id);
      this.postings.remove(key, entry.metadata);
      this.removed += 1;
      this.unsaved += 1;
    }
  }

  /** The `k` nearest keys by the graph, with cosine distances (1 - similarity). */
  nearest(query: Float32Array, k: number): { key: number; distance: number }[] {
    if (this.hnsw.size() === 0) return [];
    const found = this.hnsw.search(query, Math.min(k, this.hnsw.size()), 1);
    const out: { key: number; distance: number }[] = [];
    for (let i = 0; i < found.keys.length; i++) {
      const key = Number(found.keys[i]);
      // usearch pads short answers; a key it still returns after removal is skipped too.
      if (this.entries.has(key)) out.push({ key, distance: found.distances[i] as number });
    }
    return out;
  }
}
