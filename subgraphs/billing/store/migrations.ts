import type { Migration } from '../../../lib/db/index.js';

/** The billing subgraph's schema. Forward-only: a change is a new migration, never an edit. */
export const billingMigrations: Migration[] = [
  {
    id: '001_purchases_and_events',
    sql: `
-- The provider's customer for each team (one per team, made on first need).
CREATE TABLE customers (
  team_id uuid PRIMARY KEY,
  customer_id text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A purchase of credits. Amounts of money are in the currency's minor unit; credits in µcr.
-- What was asked for (requested_*) and what the provider confirmed (paid_amount_minor, and the
-- credits granted for it) are kept apart: only the confirmed amount is ever granted.
CREATE TABLE purchases (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  team_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('CHECKOUT', 'AUTO_RECHARGE', 'RECOVERED')),
  status text NOT NULL CHECK (status IN ('OPEN', 'PROCESSING', 'PAID', 'FAILED', 'EXPIRED')),
  currency text NOT NULL,
  requested_amount_minor bigint NOT NULL CHECK (requested_amount_minor > 0),
  pack_id text,
  idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash text,
  checkout_session_id text UNIQUE,
  checkout_url text,
  checkout_expires_at timestamptz,
  payment_id text UNIQUE,
  paid_amount_minor bigint CHECK (paid_amount_minor >= 0),
  granted_credits bigint CHECK (granted_credits >= 0),
  grant_transfer_id uuid,
  refunded_amount_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_amount_minor >= 0),
  clawed_back_credits bigint NOT NULL DEFAULT 0 CHECK (clawed_back_credits >= 0),
  owed_credits bigint NOT NULL DEFAULT 0 CHECK (owed_credits >= 0),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  paid_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'PAID') = (granted_credits IS NOT NULL)),
  CHECK (paid_amount_minor IS NULL OR refunded_amount_minor <= paid_amount_minor)
);
CREATE UNIQUE INDEX purchases_team_key ON purchases (team_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX purchases_team_seq ON purchases (team_id, seq);
CREATE INDEX purchases_paid_at ON purchases (paid_at) WHERE paid_at IS NOT NULL;

-- Every event the provider sent, once per event id, with what came of it. The raw payload is
-- not kept (it names customers); its hash is, to tell a redelivery from a forgery.
CREATE TABLE provider_events (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  type text NOT NULL,
  payload_sha256 text NOT NULL,
  object_id text,
  outcome text NOT NULL CHECK (outcome IN ('RECEIVED', 'HANDLED', 'IGNORED', 'FAILED')),
  detail text,
  deliveries integer NOT NULL DEFAULT 1,
  received_at timestamptz NOT NULL DEFAULT now(),
  handled_at timestamptz
);
`,
  },
  {
    id: '002_refunds_and_disputes',
    sql: `
-- Money given back for a purchase (decision 70). An admin's refund is written PENDING before the
-- provider is asked (its id names the provider's idempotency key), a dashboard refund when its
-- event arrives; either way the credits are debited once, only when the provider says succeeded,
-- under a wallet key derived from the provider's refund id.
CREATE TABLE refunds (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  purchase_id uuid NOT NULL REFERENCES purchases (id),
  team_id uuid NOT NULL,
  provider_refund_id text UNIQUE,
  source text NOT NULL CHECK (source IN ('ADMIN', 'PROVIDER')),
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  credits bigint NOT NULL CHECK (credits >= 0),
  debited_credits bigint CHECK (debited_credits >= 0),
  owed_credits bigint CHECK (owed_credits >= 0),
  debit_transfer_id uuid,
  idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash text,
  reason text,
  failure text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'SUCCEEDED') = (debited_credits IS NOT NULL))
);
CREATE UNIQUE INDEX refunds_purchase_key ON refunds (purchase_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX refunds_purchase_seq ON refunds (purchase_id, seq);

-- A payer's bank disputing a purchase's payment, keyed by the provider's dispute id. The hold
-- that reserves the disputed credits while it is open, and the debit once it is lost, each
-- happen once (conditional updates on this row).
CREATE TABLE disputes (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  purchase_id uuid NOT NULL REFERENCES purchases (id),
  team_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  credits bigint NOT NULL CHECK (credits >= 0),
  status text NOT NULL CHECK (status IN ('OPEN', 'WON', 'LOST')),
  hold_id uuid,
  held_credits bigint NOT NULL DEFAULT 0 CHECK (held_credits >= 0),
  hold_settled boolean NOT NULL DEFAULT false,
  debited_credits bigint CHECK (debited_credits >= 0),
  owed_credits bigint CHECK (owed_credits >= 0),
  debit_transfer_id uuid,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE INDEX disputes_purchase_seq ON disputes (purchase_id, seq);
`,
  },
  {
    id: '003_auto_recharge',
    sql: `
-- A team's auto-recharge (decision 71): its settings, the saved payment method (the provider's
-- id only: no card data ever reaches the platform), and how its recharges have been going.
-- threshold_credits and amount_minor are null while only a method was saved.
CREATE TABLE auto_recharges (
  team_id uuid PRIMARY KEY,
  enabled boolean NOT NULL DEFAULT false,
  threshold_credits bigint CHECK (threshold_credits > 0),
  amount_minor bigint CHECK (amount_minor > 0),
  payment_method_id text,
  -- true when the platform turned it off after too many failures in a row
  disabled_by_failures boolean NOT NULL DEFAULT false,
  consecutive_failures integer NOT NULL DEFAULT 0,
  last_error text,
  last_recharge_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT enabled OR (threshold_credits IS NOT NULL AND amount_minor IS NOT NULL
    AND payment_method_id IS NOT NULL))
);

-- One recharge per low-balance crossing the wallet recorded (crossing_id is the crossing's id,
-- so a crossing read twice, or by two replicas, makes one). At most one unfinished per team.
-- attempts counts PaymentIntents asked for; each attempt's provider idempotency key is
-- recharge:<crossing>:<attempt>, so a retry after a crash asks again with the same key.
CREATE TABLE recharges (
  crossing_id text PRIMARY KEY,
  team_id uuid NOT NULL,
  purchase_id uuid NOT NULL UNIQUE,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  payment_method_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('DUE', 'CHARGING', 'SUCCEEDED', 'FAILED', 'ABANDONED')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  payment_id text,
  -- the PaymentIntents whose failure was counted (an API answer and its event count once)
  failed_payment_ids text[] NOT NULL DEFAULT '{}',
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX recharges_one_open ON recharges (team_id)
  WHERE status IN ('DUE', 'CHARGING');
CREATE INDEX recharges_due ON recharges (next_attempt_at) WHERE status IN ('DUE', 'CHARGING');

-- Where billing is in the wallet's crossings feed, and which replica reads it now (a lease).
CREATE TABLE feed_cursors (
  feed text PRIMARY KEY,
  cursor text,
  leased_by text,
  leased_until timestamptz
);
INSERT INTO feed_cursors (feed) VALUES ('balance-crossings');
`,
  },
  {
    id: '004_reconciliation',
    sql: `
-- One comparison of the provider's payments with purchases and the ledger's grants.
CREATE TABLE reconciliation_runs (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  since timestamptz NOT NULL,
  started_by text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  payments_checked integer NOT NULL DEFAULT 0
);

-- What a run found, one row per mismatch; credits in µcr.
CREATE TABLE reconciliation_findings (
  run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
  seq integer NOT NULL,
  kind text NOT NULL CHECK (kind IN
    ('PAID_NOT_GRANTED', 'GRANTED_TWICE', 'AMOUNT_DIFFERS', 'REFUNDED_NOT_DEBITED')),
  payment_id text NOT NULL,
  team_id uuid,
  purchase_id uuid,
  expected_credits bigint NOT NULL,
  actual_credits bigint NOT NULL,
  repaired boolean NOT NULL,
  detail text NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- Which replica runs the scheduled reconciliation, until when.
CREATE TABLE reconciliation_lease (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
];
