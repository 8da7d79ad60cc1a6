import type { DataClass } from '../clients/inference-client.js';
import type { DocumentFormat } from '../service/collections/chunking.js';

/** A retrieval collection as the `collections` table keeps it. */
export interface CollectionRow {
  id: string;
  teamId: string;
  name: string;
  description: string | null;
  dataClass: DataClass;
  embeddingModel: string;
  /** Null until the first ingest answers with the model's vectors. */
  dimensions: number | null;
  chunkMaxChars: number;
  chunkOverlapChars: number;
  documentCount: number;
  chunkCount: number;
  createdBy: string;
  createdAt: Date;
}

/** A document of a collection (its text lives in its chunks). */
export interface CollectionDocumentRow {
  id: string;
  collectionId: string;
  key: string;
  title: string | null;
  source: string | null;
  metadata: Record<string, unknown>;
  format: DocumentFormat;
  contentHash: string;
  chars: number;
  chunkCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A chunk's text and place, with its document's title (what a search answers). */
export interface ChunkRow {
  id: string;
  documentId: string;
  documentTitle: string | null;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  section: string;
}

export interface CollectionDbRow {
  id: string;
  team_id: string;
  name: string;
  description: string | null;
  data_class: DataClass;
  embedding_model: string;
  dimensions: number | null;
  chunk_max_chars: number;
  chunk_overlap_chars: number;
  document_count: number;
  chunk_count: number;
  created_by: string;
  created_at: Date;
}

export interface DocumentDbRow {
  id: string;
  collection_id: string;
  key: string;
  title: string | null;
  source: string | null;
  metadata: Record<string, unknown>;
  format: DocumentFormat;
  content_hash: string;
  chars: number;
  chunk_count: number;
  created_at: Date;
  updated_at: Date;
}

export const collectionOf = (r: CollectionDbRow): CollectionRow => ({
  id: r.id,
  teamId: r.team_id,
  name: r.name,
  description: r.description,
  dataClass: r.data_class,
  embeddingModel: r.embedding_model,
  dimensions: r.dimensions,
  chunkMaxChars: r.chunk_max_chars,
  chunkOverlapChars: r.chunk_overlap_chars,
  documentCount: r.document_count,
  chunkCount: r.chunk_count,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

export const documentOf = (r: DocumentDbRow): CollectionDocumentRow => ({
  id: r.id,
  collectionId: r.collection_id,
  key: r.key,
  title: r.title,
  source: r.source,
  metadata: r.metadata,
  format: r.format,
  contentHash: r.content_hash,
  chars: r.chars,
  chunkCount: r.chunk_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
