import type { Migration } from '../../../lib/db/index.js';

/** The wallet subgraph's schema. Forward-only: a change is a new migration, never an edit. */
export const walletMigrations: Migration[] = [
  {
    id: '001_wallets',
    sql: `
CREATE TABLE wallets (
  id uuid PRIMARY KEY,
  posted bigint NOT NULL DEFAULT 0 CHECK (posted >= 0),
  held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (held <= posted)
);
`,
  },
  {
    id: '002_ledger',
    sql: `
-- The first wallets table only ever held zeros; the ledger replaces it.
DROP TABLE wallets;

-- The ledger's clock. Holds expire by it, never by an application server's clock. The offset
-- table is empty in production; tests put one row in it to move time forward.
CREATE TABLE clock_offset (seconds integer NOT NULL);
CREATE FUNCTION ledger_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT now() + make_interval(secs => coalesce((SELECT sum(seconds) FROM clock_offset), 0))
$$;

-- Double-entry accounts (TigerBeetle's model): totals of posted and pending debits and credits.
-- A team's wallet is the account whose id is the team's id. System accounts are split into shards
-- (the shard a wallet uses is fixed by its id) so that no single row serializes every wallet.
CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('WALLET', 'FUNDING', 'REVENUE')),
  shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 7),
  debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  -- Funding is where granted credits come from: its debits exceed its credits by design.
  debits_may_exceed_credits boolean NOT NULL DEFAULT false,
  -- A wallet's monthly budget (UTC months) and what was captured in the month so far.
  budget_limit bigint CHECK (budget_limit >= 0),
  alert_thresholds smallint[] NOT NULL DEFAULT '{}',
  spend_month date,
  month_spend bigint NOT NULL DEFAULT 0 CHECK (month_spend >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Never spend what is not there: posted and pending debits stay within posted credits.
  CHECK (debits_may_exceed_credits OR debits_posted + debits_pending <= credits_posted),
  CHECK (kind = 'WALLET' OR (budget_limit IS NULL AND month_spend = 0))
);
CREATE UNIQUE INDEX accounts_system_shard_key ON accounts (kind, shard) WHERE kind <> 'WALLET';

INSERT INTO accounts (id, kind, shard, debits_may_exceed_credits)
SELECT ('00000000-0000-4000-8001-00000000000' || s)::uuid, 'FUNDING', s, true FROM generate_series(0, 7) s
UNION ALL
SELECT ('00000000-0000-4000-8002-00000000000' || s)::uuid, 'REVENUE', s, false FROM generate_series(0, 7) s;

-- Every movement, append-only. A hold is a pending transfer; CAPTURE, VOID and EXPIRE resolve it
-- (pending_id); REFUND returns part of a CAPTURE (pending_id names the capture).
CREATE TABLE transfers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  kind text NOT NULL CHECK (kind IN ('GRANT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRE', 'REFUND')),
  wallet_id uuid NOT NULL REFERENCES accounts (id),
  debit_account_id uuid NOT NULL REFERENCES accounts (id),
  credit_account_id uuid NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL CHECK (amount >= 0),
  -- For a resolution, how much the hold had reserved (all of it is released).
  released bigint NOT NULL DEFAULT 0 CHECK (released >= 0),
  pending_id uuid REFERENCES transfers (id),
  expires_at timestamptz,
  idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash text,
  memo text CHECK (length(memo) <= 500),
  metadata jsonb NOT NULL DEFAULT '{}',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT ledger_now(),
  CHECK (debit_account_id <> credit_account_id),
  CHECK (kind NOT IN ('GRANT', 'HOLD', 'REFUND') OR amount > 0),
  CHECK ((kind = 'HOLD') = (expires_at IS NOT NULL)),
  CHECK ((kind IN ('GRANT', 'HOLD')) = (pending_id IS NULL)),
  CHECK (kind NOT IN ('VOID', 'EXPIRE') OR amount = 0),
  CHECK (kind <> 'CAPTURE' OR amount <= released),
  CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))
);
-- A key applies once per wallet and kind of operation.
CREATE UNIQUE INDEX transfers_idempotency_key ON transfers (wallet_id, kind, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- A hold resolves at most once: by capture, void or expiry.
CREATE UNIQUE INDEX transfers_one_resolution ON transfers (pending_id)
  WHERE kind IN ('CAPTURE', 'VOID', 'EXPIRE');
CREATE INDEX transfers_refunds ON transfers (pending_id) WHERE kind = 'REFUND';
CREATE INDEX transfers_wallet_seq ON transfers (wallet_id, seq);

CREATE FUNCTION transfers_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'transfers are append-only: make a new transfer to correct one';
END $$;
CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
  FOR EACH ROW EXECUTE FUNCTION transfers_are_append_only();

-- The holds not resolved yet. A resolution deletes the row, so at most one resolver gets it; the
-- sweeper reads only this table, never the whole history.
CREATE TABLE open_holds (
  hold_id uuid PRIMARY KEY REFERENCES transfers (id),
  wallet_id uuid NOT NULL REFERENCES accounts (id),
  expires_at timestamptz NOT NULL
);
CREATE INDEX open_holds_expiry ON open_holds (expires_at);
CREATE INDEX open_holds_wallet ON open_holds (wallet_id);
`,
  },
  {
    id: '003_excess_and_owed',
    sql: `
-- A call may cost more than its hold (a provider billed more tokens than the worst case). The
-- excess is charged like an incremental authorization: from the wallet's available balance
-- (EXCESS), and what the balance cannot cover is recorded as owed (OWED: a receivable, so revenue
-- is whole and the wallet never goes below zero). Owed credits are paid first from the next
-- credits a wallet receives (REPAY), and new holds may not spend them.
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
  CHECK (kind IN ('WALLET', 'FUNDING', 'REVENUE', 'RECEIVABLE'));
ALTER TABLE accounts ADD COLUMN owed bigint NOT NULL DEFAULT 0 CHECK (owed >= 0);
ALTER TABLE accounts ADD CONSTRAINT accounts_owed_wallets_only CHECK (kind = 'WALLET' OR owed = 0);

INSERT INTO accounts (id, kind, shard, debits_may_exceed_credits)
SELECT ('00000000-0000-4000-8003-00000000000' || s)::uuid, 'RECEIVABLE', s, true
FROM generate_series(0, 7) s;

ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_kind_check CHECK (kind IN
  ('GRANT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRE', 'REFUND', 'EXCESS', 'OWED', 'REPAY'));
-- EXCESS and OWED name the hold they charge beyond; REPAY names the GRANT or REFUND that paid it.
ALTER TABLE transfers ADD CONSTRAINT transfers_excess_positive
  CHECK (kind NOT IN ('EXCESS', 'OWED', 'REPAY') OR amount > 0);
CREATE UNIQUE INDEX transfers_one_excess ON transfers (pending_id, kind)
  WHERE kind IN ('EXCESS', 'OWED');
CREATE INDEX transfers_repays ON transfers (pending_id) WHERE kind = 'REPAY';
`,
  },
  {
    id: '004_hold_spends',
    sql: `
-- A credit lease: one hold of many calls' worth, charged call by call. A SPEND charges part of a
-- hold (pending_id): its amount moves from pending to posted, and the hold stays open with less
-- left (open_holds.spent). amount may be 0: the hold was gone, and the whole charge went beyond
-- it, as EXCESS and OWED naming the SPEND. Every resolution releases only what was not spent
-- (released = amount - spent).
ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_kind_check CHECK (kind IN
  ('GRANT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRE', 'REFUND', 'EXCESS', 'OWED', 'REPAY', 'SPEND'));
ALTER TABLE transfers ADD CONSTRAINT transfers_spend_releases_nothing
  CHECK (kind <> 'SPEND' OR released = 0);

ALTER TABLE open_holds ADD COLUMN spent bigint NOT NULL DEFAULT 0 CHECK (spent >= 0);
`,
  },
  {
    id: '005_funding',
    sql: `
-- The billing service's side of the ledger (decision 68).
--
-- DEBIT takes credits back out of a wallet to its funding shard: a purchase refunded, or a
-- dispute lost, sent the money back to the payer. It never takes the wallet below zero: its
-- amount is what the available balance covered, and the rest is recorded as owed, as a call's
-- excess is: OWED naming the DEBIT, debit the receivable and credit FUNDING (not revenue: the
-- credits were never earned). The wallet's owed grows and the next grant or refund pays it back
-- (REPAY), so funding gets the whole debit and money is conserved. pending_id of a DEBIT names
-- the dispute hold it released (by a VOID in the same transaction), or is null.
ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_kind_check CHECK (kind IN
  ('GRANT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRE', 'REFUND', 'EXCESS', 'OWED', 'REPAY', 'SPEND',
   'DEBIT'));
-- Was: GRANT and HOLD (only) have no pending_id. A DEBIT may have one or not.
ALTER TABLE transfers DROP CONSTRAINT transfers_check3;
ALTER TABLE transfers ADD CONSTRAINT transfers_pending_id_by_kind
  CHECK (kind = 'DEBIT' OR (kind IN ('GRANT', 'HOLD')) = (pending_id IS NULL));
ALTER TABLE transfers ADD CONSTRAINT transfers_debit_releases_nothing
  CHECK (kind <> 'DEBIT' OR released = 0);
-- Reconciliation finds a payment's grants by its id, in any wallet.
CREATE INDEX transfers_grant_payment ON transfers ((metadata->>'paymentId'))
  WHERE kind = 'GRANT' AND metadata ? 'paymentId';

-- What open dispute holds reserve: part of debits_pending (they make credits unavailable), but
-- not of what the monthly budget counts, since a dispute hold is never usage.
ALTER TABLE accounts ADD COLUMN dispute_held bigint NOT NULL DEFAULT 0 CHECK (dispute_held >= 0);
ALTER TABLE accounts ADD CONSTRAINT accounts_dispute_held_within_pending
  CHECK (dispute_held <= debits_pending);

-- A suspended wallet takes no new holds for calls (WALLET_SUSPENDED); charges of calls already
-- served, and dispute holds, still go through.
ALTER TABLE accounts ADD COLUMN suspended boolean NOT NULL DEFAULT false;
ALTER TABLE accounts ADD COLUMN suspended_reason text CHECK (length(suspended_reason) <= 500);

-- Auto-recharge: a crossing is recorded whenever a write takes a wallet's available balance
-- (posted credits - posted debits - pending debits - owed, as Balance.available, which is never
-- below zero: the same for any threshold of 1 or more) from at least its threshold to below it.
-- The trigger's WHEN clause is all a wallet without a threshold pays; the row lock every ledger
-- write takes makes OLD and NEW exact under concurrency, so each crossing is recorded once.
ALTER TABLE accounts ADD COLUMN low_balance_threshold bigint CHECK (low_balance_threshold > 0);
ALTER TABLE accounts ADD CONSTRAINT accounts_funding_settings_wallets_only
  CHECK (kind = 'WALLET' OR (dispute_held = 0 AND NOT suspended AND low_balance_threshold IS NULL));

-- xid: the transaction that recorded the crossing. Readers page in (xid, seq) order and only
-- over rows whose transaction is older than every transaction still running, so a crossing that
-- commits late (a lower seq than one already read) is never skipped.
CREATE TABLE balance_crossings (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  wallet_id uuid NOT NULL REFERENCES accounts (id),
  threshold bigint NOT NULL,
  available_after bigint NOT NULL,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at timestamptz NOT NULL DEFAULT ledger_now()
);
CREATE INDEX balance_crossings_order ON balance_crossings (xid, seq);

CREATE FUNCTION record_balance_crossing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO balance_crossings (wallet_id, threshold, available_after)
  VALUES (NEW.id, NEW.low_balance_threshold,
    greatest(NEW.credits_posted - NEW.debits_posted - NEW.debits_pending - NEW.owed, 0));
  RETURN NULL;
END $$;
CREATE TRIGGER accounts_low_balance_crossing AFTER UPDATE ON accounts FOR EACH ROW
  WHEN (NEW.low_balance_threshold IS NOT NULL
    AND OLD.credits_posted - OLD.debits_posted - OLD.debits_pending - OLD.owed
        >= NEW.low_balance_threshold
    AND NEW.credits_posted - NEW.debits_posted - NEW.debits_pending - NEW.owed
        < NEW.low_balance_threshold)
  EXECUTE FUNCTION record_balance_crossing();
`,
  },
];
