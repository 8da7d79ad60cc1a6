import type { Db } from '../../../lib/db/index.js';
import type { Chunk } from '../service/collections/chunking.js';
import {
  collectionOf,
  documentOf,
  type ChunkRow,
  type CollectionDbRow,
  type CollectionDocumentRow,
  type CollectionRow,
  type DocumentDbRow,
} from './collection-rows.js';

/**
 * A document as an ingest writes it, with its chunks (ids already given: they are vector ids). Its
 * id is derived from the collection and key (service/collections/ingest.ts `documentIdOf`).
 */
export type DocumentWrite = Omit<
  CollectionDocumentRow,
  'chunkCount' | 'createdAt' | 'updatedAt'
> & {
  chunks: Array<Chunk & { id: string }>;
};

/** Collections, their documents and chunks' text (store/collection-migrations.ts). */
export function createCollectionStore(db: Db) {
  return {
    async insertCollection(c: {
      id: string;
      teamId: string;
      name: string;
      description: string | null;
      dataClass: string;
      embeddingModel: string;
      chunkMaxChars: number;
      chunkOverlapChars: number;
      createdBy: string;
    }): Promise<CollectionRow | null> {
      const { rows } = await db.query<CollectionDbRow>(
        `INSERT INTO collections (id, team_id, name, description, data_class, embedding_model,
           chunk_max_chars, chunk_overlap_chars, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (team_id, name) DO NOTHING
         RETURNING *`,
        [
          c.id,
          c.teamId,
          c.name,
          c.description,
          c.dataClass,
          c.embeddingModel,
          c.chunkMaxChars,
          c.chunkOverlapChars,
          c.createdBy,
        ],
      );
      return rows[0] ? collectionOf(rows[0]) : null;
    },

    async collectionById(id: string): Promise<CollectionRow | null> {
      const { rows } = await db.query<CollectionDbRow>('SELECT * FROM collections WHERE id = $1', [
        id,
      ]);
      return rows[0] ? collectionOf(rows[0]) : null;
    },

    /** A team's collections by name, `limit` from after `afterName`. */
    async collectionsOfTeam(teamId: string, limit: number, afterName: string | null) {
      const { rows } = await db.query<CollectionDbRow>(
        `SELECT * FROM collections WHERE team_id = $1 AND ($2::text IS NULL OR name > $2)
         ORDER BY name LIMIT $3`,
        [teamId, afterName, limit],
      );
      return rows.map(collectionOf);
    },

    async countOfTeam(teamId: string): Promise<number> {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM collections WHERE team_id = $1',
        [teamId],
      );
      return Number(rows[0]?.n ?? 0);
    },

    /** Records the model's dimensions once; answers the dimensions the collection has now. */
    async settleDimensions(id: string, dimensions: number): Promise<number | null> {
      await db.query(
        'UPDATE collections SET dimensions = $2 WHERE id = $1 AND dimensions IS NULL',
        [id, dimensions],
      );
      const { rows } = await db.query<{ dimensions: number | null }>(
        'SELECT dimensions FROM collections WHERE id = $1',
        [id],
      );
      return rows[0]?.dimensions ?? null;
    },

    async documentsByKeys(collectionId: string, keys: readonly string[]) {
      const { rows } = await db.query<DocumentDbRow>(
        'SELECT * FROM collection_documents WHERE collection_id = $1 AND key = ANY($2)',
        [collectionId, keys],
      );
      return rows.map(documentOf);
    },

    /** A collection's documents by key, `limit` from after `afterKey`. */
    async documentsOf(collectionId: string, limit: number, afterKey: string | null) {
      const { rows } = await db.query<DocumentDbRow>(
        `SELECT * FROM collection_documents
         WHERE collection_id = $1 AND ($2::text IS NULL OR key > $2)
         ORDER BY key LIMIT $3`,
        [collectionId, afterKey, limit],
      );
      return rows.map(documentOf);
    },

    /**
     * Writes a document and its chunks in place of what its key held, keeping the collection's
     * counts, under the collection's row lock; null when the collection is gone. Answers the
     * chunk ids it replaced (their vectors are the caller's to delete).
     */
    writeDocument(
      d: DocumentWrite,
    ): Promise<{ document: CollectionDocumentRow; replacedChunkIds: string[] } | null> {
      return db.transaction(async (tx) => {
        const locked = await tx.query('SELECT id FROM collections WHERE id = $1 FOR UPDATE', [
          d.collectionId,
        ]);
        if (locked.rowCount === 0) return null;
        const old = await tx.query('SELECT 1 FROM collection_documents WHERE id = $1', [d.id]);
        const documentId = d.id;
        const removed = await tx.query<{ id: string }>(
          'DELETE FROM collection_chunks WHERE document_id = $1 RETURNING id',
          [documentId],
        );
        const { rows } = await tx.query<DocumentDbRow>(
          `INSERT INTO collection_documents (id, collection_id, key, title, source, metadata,
             format, content_hash, chars, chunk_count)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)
           ON CONFLICT (collection_id, key) DO UPDATE SET title = EXCLUDED.title,
             source = EXCLUDED.source, metadata = EXCLUDED.metadata, format = EXCLUDED.format,
             content_hash = EXCLUDED.content_hash, chars = EXCLUDED.chars,
             chunk_count = EXCLUDED.chunk_count, updated_at = now()
           RETURNING *`,
          [
            documentId,
            d.collectionId,
            d.key,
            d.title,
            d.source,
            JSON.stringify(d.metadata),
            d.format,
            d.contentHash,
            d.chars,
            d.chunks.length,
          ],
        );
        if (d.chunks.length > 0) {
          await tx.query(
            `INSERT INTO collection_chunks (id, collection_id, document_id, ordinal, text,
               start_offset, end_offset, section)
             SELECT c.id, $1, $2, c.ordinal, c.text, c.start_offset, c.end_offset, c.section
             FROM jsonb_to_recordset($3::jsonb) AS c(id uuid, ordinal int, text text,
               start_offset int, end_offset int, section text)`,
            [
              d.collectionId,
              documentId,
              JSON.stringify(
                d.chunks.map((c) => ({
                  id: c.id,
                  ordinal: c.index,
                  text: c.text,
                  start_offset: c.start,
                  end_offset: c.end,
                  section: c.section,
                })),
              ),
            ],
          );
        }
        await tx.query(
          `UPDATE collections SET document_count = document_count + $2,
             chunk_count = chunk_count + $3 WHERE id = $1`,
          [d.collectionId, old.rowCount === 0 ? 1 : 0, d.chunks.length - removed.rowCount],
        );
        return {
          document: documentOf(rows[0]!),
          replacedChunkIds: removed.rows.map((r) => r.id),
        };
      });
    },

    /** Removes a document and its chunks; null when the collection has no such document. */
    deleteDocument(
      collectionId: string,
      documentId: string,
    ): Promise<{ removedChunkIds: string[] } | null> {
      return db.transaction(async (tx) => {
        await tx.query('SELECT id FROM collections WHERE id = $1 FOR UPDATE', [collectionId]);
        const removed = await tx.query<{ id: string }>(
          'DELETE FROM collection_chunks WHERE document_id = $1 AND collection_id = $2 RETURNING id',
          [documentId, collectionId],
        );
        const doc = await tx.query(
          'DELETE FROM collection_documents WHERE id = $1 AND collection_id = $2',
          [documentId, collectionId],
        );
        if (doc.rowCount === 0) return null;
        await tx.query(
          `UPDATE collections SET document_count = document_count - 1,
             chunk_count = chunk_count - $2 WHERE id = $1`,
          [collectionId, removed.rowCount],
        );
        return { removedChunkIds: removed.rows.map((r) => r.id) };
      });
    },

    /** Removes the collection with its documents and chunks; false when it was not there. */
    async deleteCollection(id: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM collections WHERE id = $1', [id]);
      return rowCount > 0;
    },

    /** The chunks of the collection with these ids (missing ones are left out). */
    async chunksByIds(collectionId: string, ids: readonly string[]): Promise<ChunkRow[]> {
      const { rows } = await db.query<ChunkRow>(
        `SELECT c.id, c.document_id AS "documentId", d.title AS "documentTitle", c.ordinal,
           c.text, c.start_offset AS start, c.end_offset AS "end", c.section
         FROM collection_chunks c JOIN collection_documents d ON d.id = c.document_id
         WHERE c.collection_id = $1 AND c.id = ANY($2::uuid[])`,
        [collectionId, ids],
      );
      return rows;
    },
  };
}

export type CollectionStore = ReturnType<typeof createCollectionStore>;
