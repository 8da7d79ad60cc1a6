import type { Migration } from '../../../lib/db/index.js';

/** The policy subgraph's schema. Forward-only. */
export const policyMigrations: Migration[] = [
  {
    id: '001_teams_and_keys',
    sql: `
CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

CREATE TABLE team_members (
  team_id uuid NOT NULL REFERENCES teams (id),
  user_id text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 255),
  role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

-- Only the SHA-256 of a key is kept; the secret is shown once at creation.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL REFERENCES teams (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_team_idx ON api_keys (team_id, created_at DESC);
`,
  },
  {
    id: '002_audit_log',
    sql: `
-- Who did what to which team, when, under which request, and how it ended. Append-only.
CREATE TABLE audit_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  team_id uuid,
  actor text NOT NULL,
  action text NOT NULL CHECK (action ~ '^[A-Z_]{3,40}$'),
  outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'DENIED')),
  target_type text,
  target_id text,
  request_id text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_team_seq ON audit_events (team_id, seq);

CREATE FUNCTION audit_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only();
`,
  },
  {
    id: '003_quotas',
    sql: `
-- A team's rate limits; a missing row or a null column means unlimited.
CREATE TABLE team_quotas (
  team_id uuid PRIMARY KEY REFERENCES teams (id),
  requests_per_minute integer CHECK (requests_per_minute >= 0),
  tokens_per_minute integer CHECK (tokens_per_minute >= 0),
  tokens_per_day bigint CHECK (tokens_per_day >= 0),
  key_requests_per_minute integer CHECK (key_requests_per_minute >= 0),
  key_tokens_per_minute integer CHECK (key_tokens_per_minute >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    id: '004_access_rules',
    sql: `
-- Which models a team may use. team_id NULL: an org-wide rule (the organization's default).
-- A DENY that matches always wins over an ALLOW.
CREATE TABLE access_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid REFERENCES teams (id),
  effect text NOT NULL CHECK (effect IN ('ALLOW', 'DENY')),
  subject text NOT NULL CHECK (subject IN ('ANY', 'MODEL', 'PROVIDER', 'CAPABILITY', 'TAG')),
  value text NOT NULL DEFAULT '' CHECK ((subject = 'ANY') = (value = '')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX access_rules_unique ON access_rules
  (coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid), effect, subject, value);
`,
  },
  {
    id: '005_stream_quota',
    sql: `
-- How many streams a team may have open at once; null means unlimited.
ALTER TABLE team_quotas ADD COLUMN max_concurrent_streams integer
  CHECK (max_concurrent_streams >= 0);
`,
  },
  {
    id: '006_service_events',
    sql: `
-- Platform services (billing) report what happened to a team's money, including what failed
-- (a recharge the card declined): an outcome the gateway's reports never had.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_outcome_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome_check
  CHECK (outcome IN ('SUCCEEDED', 'DENIED', 'FAILED'));
`,
  },
  {
    id: '007_trusted_documents',
    sql: `
-- Trusted documents (decision 81): operations a client registered, by their content hash. A body
-- never changes for its id; registrations only accumulate (client name and version per document).
CREATE TABLE trusted_documents (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  body text NOT NULL,
  operation_name text,
  operation_type text NOT NULL CHECK (operation_type IN ('query', 'mutation', 'subscription')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE trusted_document_clients (
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  client_name text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 100),
  client_version text NOT NULL CHECK (length(client_version) BETWEEN 1 AND 100),
  document_id text NOT NULL REFERENCES trusted_documents (id),
  published_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_name, client_version, document_id)
);
-- The gateway's question: is this id registered for this client name (any version)?
CREATE INDEX trusted_document_clients_lookup ON trusted_document_clients (document_id, client_name);
`,
  },
  {
    id: '008_field_usage',
    sql: `
-- Field usage. The operations the gateway has run: a document's hash and operation
-- name ('' when anonymous), and the schema coordinates it uses, computed once by the gateway.
CREATE TABLE usage_operations (
  hash text NOT NULL,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('query', 'mutation', 'subscription')),
  coordinates text[] NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hash, name)
);
-- How often each client version ran each operation in each hour (UTC); reports add to count.
CREATE TABLE operation_usage (
  hour timestamptz NOT NULL,
  client_name text NOT NULL,
  client_version text NOT NULL,
  hash text NOT NULL,
  name text NOT NULL,
  count bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (hour, client_name, client_version, hash, name)
);
CREATE INDEX operation_usage_operation ON operation_usage (hash, name);
`,
  },
];
