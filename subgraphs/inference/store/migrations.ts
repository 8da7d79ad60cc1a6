import type { Migration } from '../../../lib/db/index.js';
import { BUCKET_BOUNDS_MS } from '../service/usage/histogram.js';

// The histogram columns follow the bucket bounds as they were when 002 ran: changing the bounds
// needs a migration of its own.
const MEASURES = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cost',
  ...BUCKET_BOUNDS_MS.map((_, i) => `lat_${i}`),
  ...BUCKET_BOUNDS_MS.map((_, i) => `ttft_${i}`),
];
const MEASURE_COLUMNS = MEASURES.map((m) => `${m} bigint NOT NULL`).join(',\n  ');
const SUMS = MEASURES.map((m) => `sum(${m})`).join(', ');

/** The inference service's schema. Forward-only: a change is a new migration, never an edit. */
export const inferenceMigrations: Migration[] = [
  {
    id: '001_charge_outbox',
    sql: `
-- Charges of served calls the wallet has not confirmed yet, kept until it does (the charge
-- outbox). A row is claimed by moving next_attempt_at past the send's longest duration, so
-- replicas share the rows and one sends a row at a time; a row the wallet refused for good keeps
-- failed_at and its error and is never sent again on its own.
CREATE TABLE charge_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('CAPTURE', 'SPEND')),
  hold_id text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  usage jsonb NOT NULL,
  request_id text NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  failed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The wallet applies a key once per team and kind: so does the outbox.
  UNIQUE (team_id, kind, idempotency_key)
);
CREATE INDEX charge_outbox_due ON charge_outbox (next_attempt_at) WHERE failed_at IS NULL;
`,
  },
  {
    id: '002_usage_records',
    sql: `
-- One row per call that reached the saga (decision 89): written by the usage writer, never twice
-- for one call (call_id), kept USAGE_RECORD_RETENTION_DAYS. Queries never read it: they read the
-- rollups below, which the same transaction adds the inserted rows to.
CREATE TABLE usage_records (
  call_id text PRIMARY KEY,
  team_id text NOT NULL,
  api_key_id text,
  user_id text,
  kind text NOT NULL CHECK (kind IN ('CHAT', 'STREAM', 'EMBEDDING')),
  route text NOT NULL,
  model_id text NOT NULL,
  provider_id text,
  price_version integer,
  input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
  cost bigint NOT NULL CHECK (cost >= 0),
  latency_ms integer NOT NULL CHECK (latency_ms >= 0),
  ttft_ms integer CHECK (ttft_ms >= 0),
  outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'REFUSED')),
  cached boolean NOT NULL,
  request_id text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX usage_records_created ON usage_records (created_at);

-- Per team, hour or day, model, key, user and outcome: sums, and latency and time-to-first-token
-- histograms in fixed buckets (service/usage/histogram.ts), one column per bucket (lat_0 ...,
-- ttft_0 ...), so percentiles merge by plain sum() over any rows. '' stands for no key or no user
-- (a key is part of the primary key).
CREATE TABLE usage_team_rollups (
  grain text NOT NULL CHECK (grain IN ('HOUR', 'DAY')),
  team_id text NOT NULL,
  bucket timestamptz NOT NULL,
  model_id text NOT NULL,
  api_key_id text NOT NULL,
  user_id text NOT NULL,
  outcome text NOT NULL,
  ${MEASURE_COLUMNS},
  PRIMARY KEY (grain, team_id, bucket, model_id, api_key_id, user_id, outcome)
);

-- The same across every team, by model and outcome only: what org-wide reports by model or
-- outcome read, a few rows per bucket whatever the number of teams, keys and users.
CREATE TABLE usage_org_rollups (
  grain text NOT NULL CHECK (grain IN ('HOUR', 'DAY')),
  bucket timestamptz NOT NULL,
  model_id text NOT NULL,
  outcome text NOT NULL,
  ${MEASURE_COLUMNS},
  PRIMARY KEY (grain, bucket, model_id, outcome)
);
`,
  },
  {
    id: '003_usage_record_prompts',
    sql: `
-- The team prompt a call rendered (GenerateInput.prompt): orchestration's prompt id and version.
ALTER TABLE usage_records ADD COLUMN prompt_id text;
ALTER TABLE usage_records ADD COLUMN prompt_version integer;
`,
  },
  {
    id: '004_usage_principal_rollups',
    sql: `
-- Across every team, by key and user only (decision 96): what org-wide reports grouped by API_KEY
-- and/or USER read, one row per bucket per key or person instead of every team's model x key x
-- user x outcome rows. The writer adds to it in the same statement as the others; rows the
-- team rollups already hold are copied in once here.
CREATE TABLE usage_principal_rollups (
  grain text NOT NULL CHECK (grain IN ('HOUR', 'DAY')),
  bucket timestamptz NOT NULL,
  api_key_id text NOT NULL,
  user_id text NOT NULL,
  ${MEASURE_COLUMNS},
  PRIMARY KEY (grain, bucket, api_key_id, user_id)
);
INSERT INTO usage_principal_rollups
SELECT grain, bucket, api_key_id, user_id, ${SUMS}
FROM usage_team_rollups GROUP BY grain, bucket, api_key_id, user_id;
`,
  },
  {
    id: '005_usage_record_flow_steps',
    sql: `
-- A call orchestration sent as a flow step (flowStep, decision 100): the run's wallet hold it was
-- paid from, and the step's key.
ALTER TABLE usage_records ADD COLUMN flow_hold_id text;
ALTER TABLE usage_records ADD COLUMN flow_step_key text;
`,
  },
  {
    id: '006_usage_rollup_pending',
    sql: `
-- Records not yet added to the rollups (decision 105): the usage writer inserts a record and its
-- row here in one statement, on the paid call's path; the rollup folder adds batches of them to
-- the rollups off the path, deleting their rows here in the same statement. Every record before
-- this migration is already in the rollups.
CREATE TABLE usage_rollup_pending (call_id text PRIMARY KEY);
`,
  },
];
