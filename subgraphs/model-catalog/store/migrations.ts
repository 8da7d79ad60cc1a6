import type { Migration } from '../../../lib/db/index.js';

/** The catalog's schema. Forward-only: a change is a new migration, never an edit. */
export const catalogMigrations: Migration[] = [
  {
    id: '001_catalog',
    sql: `
CREATE TABLE providers (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,31}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  kind text NOT NULL CHECK (kind IN ('LOCAL', 'OPENAI_COMPATIBLE', 'ANTHROPIC')),
  base_url text,
  api_key_env text CHECK (api_key_env ~ '^[A-Z_][A-Z0-9_]{0,127}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'LOCAL' OR base_url IS NOT NULL)
);

CREATE TABLE models (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,31}/[a-z0-9][a-z0-9._:-]{0,99}$'),
  provider_id text NOT NULL REFERENCES providers (id),
  provider_model text NOT NULL CHECK (length(provider_model) BETWEEN 1 AND 200),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '',
  capabilities text[] NOT NULL CHECK (cardinality(capabilities) > 0),
  context_window integer NOT NULL CHECK (context_window BETWEEN 1 AND 10000000),
  max_output_tokens integer CHECK (max_output_tokens > 0 AND max_output_tokens <= context_window),
  embedding_dimensions integer CHECK (embedding_dimensions > 0),
  max_batch_size integer CHECK (max_batch_size > 0),
  tags text[] NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('PREVIEW', 'ACTIVE', 'DEPRECATED')),
  deprecated_at timestamptz,
  sunset_at timestamptz,
  replacement_id text REFERENCES models (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (id LIKE provider_id || '/%'),
  CHECK ((status = 'DEPRECATED') = (deprecated_at IS NOT NULL)),
  CHECK (replacement_id IS NULL OR replacement_id <> id)
);
CREATE INDEX models_provider_idx ON models (provider_id, id);

-- Prices are append-only: a change is a new version effective from a given time.
CREATE TABLE model_prices (
  model_id text NOT NULL REFERENCES models (id),
  version integer NOT NULL CHECK (version > 0),
  input_per_mtok bigint NOT NULL CHECK (input_per_mtok >= 0),
  output_per_mtok bigint NOT NULL CHECK (output_per_mtok >= 0),
  effective_from timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, version)
);

CREATE TABLE model_routes (
  alias text PRIMARY KEY CHECK (alias ~ '^[a-z][a-z0-9-]{1,63}$'),
  description text NOT NULL DEFAULT '',
  strategy text NOT NULL CHECK (strategy IN ('FALLBACK', 'WEIGHTED', 'LOWEST_LATENCY', 'LOWEST_COST')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_route_targets (
  alias text NOT NULL REFERENCES model_routes (alias) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  model_id text NOT NULL REFERENCES models (id),
  weight integer NOT NULL CHECK (weight BETWEEN 0 AND 1000),
  PRIMARY KEY (alias, position),
  UNIQUE (alias, model_id)
);

-- Which seed files have been applied, so a seed runs on the first start only.
CREATE TABLE seed_runs (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    id: '002_data_classification',
    sql: `
-- The most sensitive class of data a model may be sent (PUBLIC < INTERNAL < CONFIDENTIAL < RESTRICTED).
ALTER TABLE models ADD COLUMN data_classification text NOT NULL DEFAULT 'INTERNAL'
  CHECK (data_classification IN ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'));
`,
  },
];
