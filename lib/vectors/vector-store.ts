import type { Db, Migration, Queryable } from '../db/index.js';
import { notFound } from '../errors.js';
import type { VectorCollectionInfo, VectorItem, VectorMetadata } from './vector-index.js';

/**
 * The durable truth of the vector index (decision 97), in the schema of the subgraph that owns the
 * collections: it runs these migrations with its own. Vectors are bytea of little-endian float32.
 *
 * Every write locks its collection's row and bumps `version`, so one collection's writes commit in
 * version order; an item row carries the version that last wrote it and a `key` (the in-memory
 * index's key) drawn afresh on every write, so a key always names one vector. A delete leaves a
 * tombstone with its version; an index that has seen version V catches up by reading rows and
 * tombstones above V.
 */
export const VECTOR_MIGRATIONS: readonly Migration[] = [
  {
    id: 'vectors_001_collections_items',
    sql: `
      CREATE TABLE vector_collections (
        id text PRIMARY KEY,
        dimensions int NOT NULL CHECK (dimensions BETWEEN 1 AND 4096),
        version bigint NOT NULL DEFAULT 0,
        item_count bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE SEQUENCE vector_item_keys;
      CREATE TABLE vector_items (
        collection_id text NOT NULL REFERENCES vector_collections (id) ON DELETE CASCADE,
        id text NOT NULL,
        key bigint NOT NULL DEFAULT nextval('vector_item_keys'),
        vector bytea NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        version bigint NOT NULL,
        PRIMARY KEY (collection_id, id)
      );
      CREATE UNIQUE INDEX vector_items_by_key ON vector_items (collection_id, key);
      CREATE INDEX vector_items_by_version ON vector_items (collection_id, version);
      CREATE TABLE vector_tombstones (
        collection_id text NOT NULL REFERENCES vector_collections (id) ON DELETE CASCADE,
        version bigint NOT NULL,
        key bigint NOT NULL,
        PRIMARY KEY (collection_id, version, key)
      );`,
  },
];

/** A stored item as the in-memory index needs it. */
export interface StoredItem {
  key: number;
  id: string;
  vector: Float32Array;
  metadata: VectorMetadata;
}

/** Items per INSERT statement (a megabyte of vectors at 256 dimensions). */
const WRITE_BATCH = 1000;

export function encodeVectors(items: readonly { vector: ArrayLike<number> }[], dims: number) {
  const floats = new Float32Array(items.length * dims);
  items.forEach((item, i) => floats.set(item.vector, i * dims));
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** A copy, so the floats are aligned whatever offset the driver's bytes start at. */
export function decodeVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

interface CollectionRow {
  id: string;
  dimensions: number;
  version: string;
  item_count: string;
}
const toInfo = (row: CollectionRow): VectorCollectionInfo => ({
  id: row.id,
  dimensions: row.dimensions,
  version: Number(row.version),
  count: Number(row.item_count),
});

interface ItemRow {
  key: string;
  id: string;
  vector: Uint8Array;
  metadata: VectorMetadata;
}
const toItem = (row: ItemRow): StoredItem => ({
  key: Number(row.key),
  id: row.id,
  vector: decodeVector(row.vector),
  metadata: row.metadata,
});

export function createVectorStore(db: Db) {
  /** Locks the collection's row and takes the next version; NOT_FOUND when it does not exist. */
  const nextVersion = async (tx: Queryable, collectionId: string) => {
    const { rows } = await tx.query<{ version: string }>(
      'UPDATE vector_collections SET version = version + 1 WHERE id = $1 RETURNING version',
      [collectionId],
    );
    if (!rows[0]) throw notFound('Collection', collectionId);
    return Number(rows[0].version);
  };

  return {
    /** Inserts the collection; the stored one (which may have other dimensions) if it existed. */
    async createCollection(collectionId: string, dimensions: number) {
      const { rows } = await db.query<CollectionRow>(
        `WITH created AS (
           INSERT INTO vector_collections (id, dimensions) VALUES ($1, $2)
           ON CONFLICT (id) DO NOTHING RETURNING id, dimensions, version, item_count
         )
         SELECT * FROM created
         UNION ALL
         SELECT id, dimensions, version, item_count FROM vector_collections WHERE id = $1`,
        [collectionId, dimensions],
      );
      return toInfo(rows[0] as CollectionRow);
    },

    async dropCollection(collectionId: string) {
      await db.query('DELETE FROM vector_collections WHERE id = $1', [collectionId]);
    },

    async describe(collectionId: string) {
      const { rows } = await db.query<CollectionRow>(
        'SELECT id, dimensions, version, item_count FROM vector_collections WHERE id = $1',
        [collectionId],
      );
      return rows[0] ? toInfo(rows[0]) : undefined;
    },

    /** Writes `items` in one transaction; the keys each id now has, and the version written. */
    async upsert(collectionId: string, dims: number, items: readonly VectorItem[]) {
      return db.transaction(async (tx) => {
        const version = await nextVersion(tx, collectionId);
        const keys: { id: string; key: number }[] = [];
        let inserted = 0;
        for (let start = 0; start < items.length; start += WRITE_BATCH) {
          const batch = items.slice(start, start + WRITE_BATCH);
          const { rows } = await tx.query<{ id: string; key: string; inserted: boolean }>(
            `INSERT INTO vector_items (collection_id, id, vector, metadata, version)
             SELECT $1, ids.id, substring($3::bytea FROM (ids.n - 1)::int * $5 + 1 FOR $5),
                    meta.value, $6
             FROM unnest($2::text[]) WITH ORDINALITY AS ids (id, n)
             JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS meta (value, n) ON meta.n = ids.n
             ON CONFLICT (collection_id, id) DO UPDATE
               SET key = nextval('vector_item_keys'), vector = excluded.vector,
                   metadata = excluded.metadata, version = excluded.version
             RETURNING id, key, (xmax = 0) AS inserted`,
            [
              collectionId,
              batch.map((item) => item.id),
              encodeVectors(batch, dims),
              JSON.stringify(batch.map((item) => item.metadata ?? {})),
              dims * 4,
              version,
            ],
          );
          for (const row of rows) {
            keys.push({ id: row.id, key: Number(row.key) });
            if (row.inserted) inserted += 1;
          }
        }
        if (inserted > 0) {
          await tx.query(
            'UPDATE vector_collections SET item_count = item_count + $2 WHERE id = $1',
            [collectionId, inserted],
          );
        }
        return { version, keys };
      });
    },

    /** Deletes the ids, leaving tombstones; the keys removed and the version written. */
    async delete(collectionId: string, ids: readonly string[]) {
      return db.transaction(async (tx) => {
        const version = await nextVersion(tx, collectionId);
        const { rows } = await tx.query<{ key: string }>(
          `WITH gone AS (
             DELETE FROM vector_items WHERE collection_id = $1 AND id = ANY ($2::text[]) RETURNING key
           )
           INSERT INTO vector_tombstones (collection_id, version, key)
           SELECT $1, $3, key FROM gone RETURNING key`,
          [collectionId, [...ids], version],
        );
        if (rows.length > 0) {
          await tx.query(
            'UPDATE vector_collections SET item_count = item_count - $2 WHERE id = $1',
            [collectionId, rows.length],
          );
        }
        return { version, keys: rows.map((row) => Number(row.key)) };
      });
    },

    /** Items written after `sinceVersion` with a key above `afterKey`, by key, `limit` at most. */
    async itemsSince(collectionId: string, sinceVersion: number, afterKey: number, limit: number) {
      const { rows } = await db.query<ItemRow>(
        `SELECT key, id, vector, metadata FROM vector_items
         WHERE collection_id = $1 AND version > $2 AND key > $3 ORDER BY key LIMIT $4`,
        [collectionId, sinceVersion, afterKey, limit],
      );
      return rows.map(toItem);
    },

    /**
     * Key, id and metadata (no vector) of items last written at or before `version`, above
     * `afterKey`, by key: what a snapshot of that version holds, and still stored.
     */
    async entriesUpTo(collectionId: string, version: number, afterKey: number, limit: number) {
      const { rows } = await db.query<{ key: string; id: string; metadata: VectorMetadata }>(
        `SELECT key, id, metadata FROM vector_items
         WHERE collection_id = $1 AND version <= $2 AND key > $3 ORDER BY key LIMIT $4`,
        [collectionId, version, afterKey, limit],
      );
      return rows.map((row) => ({ key: Number(row.key), id: row.id, metadata: row.metadata }));
    },

    /** When the collection row was created (a snapshot's tag), or undefined when it does not exist. */
    async createdAt(collectionId: string) {
      const { rows } = await db.query<{ created_at: string }>(
        `SELECT created_at::text AS created_at FROM vector_collections WHERE id = $1`,
        [collectionId],
      );
      return rows[0]?.created_at;
    },

    /** Keys deleted after `sinceVersion`. */
    async tombstonesSince(collectionId: string, sinceVersion: number) {
      const { rows } = await db.query<{ key: string }>(
        'SELECT key FROM vector_tombstones WHERE collection_id = $1 AND version > $2',
        [collectionId, sinceVersion],
      );
      return rows.map((row) => Number(row.key));
    },

    /** The stored vectors of these keys (the exact scan of a selective filter). */
    async vectorsByKey(collectionId: string, keys: readonly number[]) {
      const { rows } = await db.query<{ key: string; vector: Uint8Array }>(
        'SELECT key, vector FROM vector_items WHERE collection_id = $1 AND key = ANY ($2::bigint[])',
        [collectionId, keys.map(String)],
      );
      return rows.map((row) => ({ key: Number(row.key), vector: decodeVector(row.vector) }));
    },
  };
}

export type VectorStore = ReturnType<typeof createVectorStore>;
