import type { Migration } from '../../../lib/db/index.js';

/**
 * Retrieval collections (decision 102). A chunk's vector lives in the vector index (lib/vectors,
 * item id = chunk id, collection id = the collection's id); its text lives here, so what every
 * process holds in memory per vector stays small. A chunk row is the truth of what a search may
 * answer: a vector without its row (a write cut short) is never shown.
 */
export const COLLECTION_MIGRATIONS: Migration[] = [
  {
    id: '110_collections',
    sql: `
CREATE TABLE collections (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL,
  name text NOT NULL,
  description text,
  data_class text NOT NULL CHECK (data_class IN ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED')),
  embedding_model text NOT NULL,
  -- Learned from the model's first answer (the first ingest); null before it.
  dimensions integer CHECK (dimensions BETWEEN 1 AND 4096),
  chunk_max_chars integer NOT NULL,
  chunk_overlap_chars integer NOT NULL,
  document_count integer NOT NULL DEFAULT 0,
  chunk_count integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team_id, name)
);

CREATE TABLE collection_documents (
  id uuid PRIMARY KEY,
  collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  -- The caller's name for the document (a path, a URL), or its content hash when none was given.
  key text NOT NULL,
  title text,
  source text,
  metadata jsonb NOT NULL DEFAULT '{}',
  format text NOT NULL CHECK (format IN ('TEXT', 'MARKDOWN')),
  -- sha-256 of format, content, title and metadata: the same again is not embedded (or paid) again.
  content_hash text NOT NULL,
  chars integer NOT NULL,
  chunk_count integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (collection_id, key)
);

CREATE TABLE collection_chunks (
  id uuid PRIMARY KEY,
  collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  document_id uuid NOT NULL REFERENCES collection_documents (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  text text NOT NULL,
  start_offset integer NOT NULL,
  end_offset integer NOT NULL,
  section text NOT NULL
);
CREATE INDEX collection_chunks_by_document ON collection_chunks (document_id, ordinal);
`,
  },
];
