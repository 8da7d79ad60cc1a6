/**
 * The vector index retrieval collections search: what any engine must do, whether the one built in
 * here (usearch HNSW in memory, PostgreSQL as the truth; decision 97) or a distributed one later
 * (pgvector, Qdrant, Milvus). Similarity is cosine; a collection is the unit of isolation, so a
 * search names its collection and never answers another's items.
 */

/** A metadata value a filter can match on: top-level JSON scalars only. */
export type MetadataScalar = string | number | boolean;

/** JSON metadata stored beside a vector (a chunk's document id, position, language, ...). */
export type VectorMetadata = Record<string, unknown>;

/**
 * Keeps items whose metadata matches every entry: `{ field: value }` is equality, `{ field: { in:
 * [a, b] } }` is membership. Values compare as JSON (`1` does not match `"1"`).
 */
export type MetadataFilter = Record<string, MetadataScalar | { in: readonly MetadataScalar[] }>;

export interface VectorItem {
  /** Unique within its collection; upserting an existing id replaces its vector and metadata. */
  id: string;
  /** Exactly the collection's dimensions; not all zero (cosine is undefined for it). */
  vector: ArrayLike<number>;
  /** @default {} */
  metadata?: VectorMetadata;
}

export interface VectorSearchOptions {
  /** How many matches at most, best first (1..1000). */
  topK: number;
  /** Drops matches whose cosine similarity is below this (-1..1). @default no minimum */
  minScore?: number;
  filter?: MetadataFilter;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity to the query, 1 for the same direction. */
  score: number;
  metadata: VectorMetadata;
}

export interface VectorCollectionInfo {
  id: string;
  dimensions: number;
  /** Items stored (the durable count, not the in-memory one). */
  count: number;
  /** Bumped by every committed write to the collection; an index that saw it has every write. */
  version: number;
}

export interface VectorIndex {
  /**
   * Creates an empty collection of `dimensions`. Idempotent for the same dimensions; CONFLICT for
   * an existing collection of other dimensions.
   */
  createCollection(collectionId: string, options: { dimensions: number }): Promise<void>;
  /** Removes the collection and every item in it; no-op when it does not exist. */
  dropCollection(collectionId: string): Promise<void>;
  /** The collection, or undefined when it does not exist. */
  describeCollection(collectionId: string): Promise<VectorCollectionInfo | undefined>;
  /** Writes items (all or none); `version` is the collection's version the write committed as. */
  upsert(collectionId: string, items: readonly VectorItem[]): Promise<{ version: number }>;
  /** Removes the items with these ids (unknown ids are ignored); `deleted` counts removed ones. */
  delete(
    collectionId: string,
    ids: readonly string[],
  ): Promise<{ deleted: number; version: number }>;
  /** The nearest items to `vector` by cosine similarity, best first. */
  search(
    collectionId: string,
    vector: ArrayLike<number>,
    options: VectorSearchOptions,
  ): Promise<VectorMatch[]>;
  /** Items stored in the collection. */
  count(collectionId: string): Promise<number>;
  /**
   * Throws away what this process holds for the collection and builds it again from the durable
   * store (after heavy deletes, or to repair). Engines that keep nothing in process may no-op.
   */
  rebuild(collectionId: string): Promise<void>;
  /** Releases memory and handles the index owns (not the database handle it was given). */
  close(): Promise<void>;
}
