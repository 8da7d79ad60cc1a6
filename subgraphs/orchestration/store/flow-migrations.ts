import type { Migration } from '../../../lib/db/index.js';

/**
 * Flows and their runs (decision 100), in the orchestration subgraph's schema. Forward-only;
 * numbered after the prompts' migrations so the two lists merge by id.
 */
export const flowMigrations: Migration[] = [
  {
    id: '100_flows_and_runs',
    sql: `
-- A team's flow: a name, and immutable numbered versions of its definition.
CREATE TABLE flows (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team_id, name)
);

CREATE TABLE flow_versions (
  flow_id uuid NOT NULL REFERENCES flows (id),
  version integer NOT NULL CHECK (version >= 1),
  definition jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (flow_id, version)
);

-- Movable names for versions (production, staging, ...).
CREATE TABLE flow_labels (
  flow_id uuid NOT NULL REFERENCES flows (id),
  label text NOT NULL CHECK (label ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  version integer NOT NULL,
  moved_by text NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (flow_id, label),
  FOREIGN KEY (flow_id, version) REFERENCES flow_versions (flow_id, version)
);

-- One run of one flow version. Money in micros. A run under an idempotency key is made once per
-- team; request_hash tells a retry from a different request under the same key.
CREATE TABLE flow_runs (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  team_id uuid NOT NULL,
  flow_id uuid NOT NULL,
  version integer NOT NULL,
  idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash text NOT NULL,
  inputs jsonb NOT NULL,
  data_class text NOT NULL,
  max_cost bigint NOT NULL CHECK (max_cost > 0),
  status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  hold_id uuid,
  cost bigint NOT NULL DEFAULT 0 CHECK (cost >= 0),
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  output jsonb,
  error jsonb,
  cancel_requested boolean NOT NULL DEFAULT false,
  -- The replica running it and until when; a lapsed lease lets another replica resume it.
  owner text,
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  -- The creator's principal as the gateway authenticated it: every replica that works the run
  -- calls models for them (a delegated token), so a resumed run acts for the same caller.
  created_by_principal jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  ended_at timestamptz,
  FOREIGN KEY (flow_id, version) REFERENCES flow_versions (flow_id, version),
  UNIQUE (team_id, idempotency_key)
);
CREATE INDEX flow_runs_team ON flow_runs (team_id, seq DESC);
CREATE INDEX flow_runs_unfinished ON flow_runs (lease_until) WHERE status IN ('QUEUED', 'RUNNING');

-- Orders the journal's writes: a step's start takes a number when its row is made, its end
-- another, so progress replays starts and ends in the order they happened.
CREATE SEQUENCE flow_run_step_events;

-- Each step of a run as the runner journals it (path: 'find', 'each[2].summary').
CREATE TABLE flow_run_steps (
  run_id uuid NOT NULL REFERENCES flow_runs (id),
  path text NOT NULL,
  step_id text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  attempts integer NOT NULL DEFAULT 0,
  cost bigint NOT NULL DEFAULT 0 CHECK (cost >= 0),
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  output jsonb,
  error jsonb,
  seq bigint NOT NULL DEFAULT nextval('flow_run_step_events'),
  ended_seq bigint,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  PRIMARY KEY (run_id, path)
);
`,
  },
];
