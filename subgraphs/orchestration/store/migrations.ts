import type { Migration } from '../../../lib/db/index.js';
import { VECTOR_MIGRATIONS } from '../../../lib/vectors/vector-store.js';
import { COLLECTION_MIGRATIONS } from './collection-migrations.js';
import { flowMigrations } from './flow-migrations.js';

/** The orchestration subgraph's schema. Forward-only: a change is a new migration, never an edit. */
export const orchestrationMigrations: Migration[] = [
  {
    id: '001_service_info',
    sql: `
-- One row: when this subgraph's store came to be (what orchestrationInfo reports).
CREATE TABLE service_info (
  service text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO service_info (service) VALUES ('orchestration');
`,
  },
  {
    id: '002_prompts',
    sql: `
-- A team's prompt template; its content lives in numbered, immutable versions.
CREATE TABLE prompts (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL,
  name text NOT NULL,
  description text,
  -- The highest version number given so far (0: none yet); versions take the next one under a
  -- row lock on this row, so numbers are 1..n without gaps.
  latest_version integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team_id, name)
);

-- Never updated or deleted: a version is what a generation says it used.
CREATE TABLE prompt_versions (
  prompt_id uuid NOT NULL REFERENCES prompts (id),
  version integer NOT NULL CHECK (version >= 1),
  messages jsonb NOT NULL,
  variables jsonb NOT NULL,
  default_model text,
  parameters jsonb NOT NULL,
  tools jsonb,
  response_format jsonb,
  -- sha-256 of the content: a retried createPromptVersion with the same key must send the same.
  content_hash text NOT NULL,
  idempotency_key text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (prompt_id, version)
);
CREATE UNIQUE INDEX prompt_versions_idempotency ON prompt_versions (prompt_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- A movable name for one version of a prompt (production, staging, ...).
CREATE TABLE prompt_labels (
  prompt_id uuid NOT NULL REFERENCES prompts (id),
  label text NOT NULL,
  version integer NOT NULL,
  moved_by text NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (prompt_id, label),
  FOREIGN KEY (prompt_id, version) REFERENCES prompt_versions (prompt_id, version)
);
`,
  },
  ...VECTOR_MIGRATIONS,
  ...COLLECTION_MIGRATIONS,
  ...flowMigrations,
];
