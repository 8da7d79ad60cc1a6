import type { Migration } from '../../../lib/db/index.js';

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
];
