import type { Queryable } from '../../../lib/db/index.js';
import { revenueAccountFor } from './accounts.js';
import { AVAILABLE, BUDGET_ROOM } from './account-figures.js';
import type { HoldMetadata, HoldRow } from './transfer-rows.js';

/** What one new hold records. */
export interface NewHold {
  /** What the hold asks for. */
  amount: bigint;
  /** The least it accepts: it takes the most up to `amount` the wallet has room for. */
  minimumAmount: bigint;
  idempotencyKey: string;
  requestHash: string;
  expiresInSeconds: number;
  metadata: HoldMetadata;
  actor: string;
}

/** What the hold-insert statement returns per hold written. */
export interface InsertedHold {
  id: string;
  /** What the hold was granted. */
  amount: string;
  idempotency_key: string;
  expires_at: Date;
  created_at: Date;
}

/*
 * The one statement that writes holds, for one hold or a batch of one wallet's holds:
 *   $1 the wallet, $2 its revenue shard; `requests` yields the holds' columns (amount, expiry,
 *   key, hash, metadata, actor).
 * The wallet's pending debit and the revenue shard's pending credit grow by the total; one HOLD
 * transfer and one open_holds row per hold are appended. A lone hold locks the wallet's row and
 * sizes itself to the room it finds there, in the statement itself (no row: refused); a batch has
 * already sized its holds under the row lock. Dispute holds are counted in `dispute_held` too.
 */
function holdInsertSql(requests: string, dispute = false): string {
  return `WITH req AS MATERIALIZED (
  ${requests}
), s AS (
  SELECT sum(amount) AS total FROM req
), w AS (
  UPDATE accounts SET debits_pending = debits_pending + s.total${
    dispute ? ', dispute_held = dispute_held + s.total' : ''
  }
  FROM s WHERE id = $1 AND kind = 'WALLET' AND s.total IS NOT NULL
  RETURNING id
), r AS (
  UPDATE accounts SET credits_pending = credits_pending + s.total
  FROM s WHERE id = $2 AND EXISTS (SELECT 1 FROM w) RETURNING id
), t AS (
  INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
    expires_at, idempotency_key, request_hash, metadata, created_by)
  SELECT 'HOLD', $1, $1, $2, amount, ledger_now() + make_interval(secs => expires), key, hash,
    metadata, actor
  FROM req, w
  RETURNING id, wallet_id, amount, idempotency_key, expires_at, created_at
), o AS (
  INSERT INTO open_holds (hold_id, wallet_id, expires_at) SELECT id, wallet_id, expires_at FROM t
)
SELECT id, amount, idempotency_key, expires_at, created_at FROM t`;
}

/*
 * A lone hold: the most between $4 (its minimum) and $3 (what it asks for) that the wallet's
 * available balance and budget leave, read from the row as locked, so that a concurrent change is
 * seen; nothing when that is below the minimum, or when the wallet is suspended. A dispute hold
 * is neither limited by the budget (it is not usage) nor refused by a suspension.
 */
const oneHoldSql = (dispute: boolean) =>
  holdInsertSql(
    `SELECT g.granted AS amount, $5::int AS expires, $6::text AS key, $7::text AS hash,
       $8::jsonb AS metadata, $9::text AS actor
     FROM (SELECT least($3::bigint, ${AVAILABLE}${
       dispute ? '' : `, coalesce(${BUDGET_ROOM}, $3::bigint)`
     }) AS granted
           FROM accounts WHERE id = $1 AND kind = 'WALLET'${dispute ? '' : ' AND NOT suspended'}
           FOR NO KEY UPDATE) g
     WHERE g.granted >= $4::bigint`,
    dispute,
  );
const ONE_HOLD = oneHoldSql(false);
const ONE_DISPUTE_HOLD = oneHoldSql(true);

const MANY_HOLDS = holdInsertSql(
  `SELECT * FROM unnest($3::bigint[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
     AS r(amount, expires, key, hash, metadata, actor)`,
);

/** The HoldRow of a hold just written: pending, with what it was granted. */
export function heldRow(walletId: string, hold: NewHold, row: InsertedHold): HoldRow {
  return {
    id: row.id,
    walletId,
    amount: BigInt(row.amount),
    status: 'PENDING',
    capturedAmount: null,
    excessAmount: null,
    owedAmount: null,
    spentAmount: 0n,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    resolvedAt: null,
    metadata: hold.metadata,
    idempotencyKey: hold.idempotencyKey,
  };
}

/**
 * Writes one hold of the most up to its amount the wallet's balance and budget have room for;
 * undefined when that is below its minimum or the wallet is suspended (a dispute hold: the
 * balance alone, suspended or not).
 */
export async function insertHold(
  q: Queryable,
  walletId: string,
  hold: NewHold,
): Promise<HoldRow | undefined> {
  const sql = hold.metadata.purpose === 'DISPUTE' ? ONE_DISPUTE_HOLD : ONE_HOLD;
  const { rows } = await q.query<InsertedHold>(sql, [
    walletId,
    revenueAccountFor(walletId),
    hold.amount.toString(),
    hold.minimumAmount.toString(),
    hold.expiresInSeconds,
    hold.idempotencyKey,
    hold.requestHash,
    JSON.stringify(hold.metadata),
    hold.actor,
  ]);
  return rows[0] && heldRow(walletId, hold, rows[0]);
}

/**
 * Writes a batch of one wallet's holds for calls, each of its `amount`, already sized to the
 * wallet's room under the row lock.
 */
export async function insertHolds(
  q: Queryable,
  walletId: string,
  holds: readonly NewHold[],
): Promise<InsertedHold[]> {
  const { rows } = await q.query<InsertedHold>(MANY_HOLDS, [
    walletId,
    revenueAccountFor(walletId),
    holds.map((h) => h.amount.toString()),
    holds.map((h) => h.expiresInSeconds),
    holds.map((h) => h.idempotencyKey),
    holds.map((h) => h.requestHash),
    holds.map((h) => JSON.stringify(h.metadata)),
    holds.map((h) => h.actor),
  ]);
  return rows;
}

/** A wallet's room for new holds: its available balance and what its budget leaves (or null). */
export interface WalletRoom {
  available: bigint;
  budgetRoom: bigint | null;
  /** A suspended wallet takes no holds for calls. */
  suspended: boolean;
}

/** Locks a wallet's row (until the transaction ends) and reads its room; undefined: no wallet. */
export async function lockWalletRoom(
  q: Queryable,
  walletId: string,
): Promise<WalletRoom | undefined> {
  const { rows } = await q.query<{
    available: string;
    budget_room: string | null;
    suspended: boolean;
  }>(
    `SELECT ${AVAILABLE} AS available, ${BUDGET_ROOM} AS budget_room, suspended
     FROM accounts WHERE id = $1 AND kind = 'WALLET' FOR NO KEY UPDATE`,
    [walletId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    available: BigInt(row.available),
    budgetRoom: row.budget_room === null ? null : BigInt(row.budget_room),
    suspended: row.suspended,
  };
}
