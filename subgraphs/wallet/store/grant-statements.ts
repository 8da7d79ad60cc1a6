import type { Queryable } from '../../../lib/db/index.js';
import { fundingAccountFor } from './accounts.js';
import type { GrantEntry, InsertedGrant } from './ledger-writes.js';
import { toTransfer, type TransferRecord, type TransferRow } from './transfer-rows.js';

/*
 * The statements of a batch of grants (group commit, ../service/ledger/grant-batch.ts): one read
 * of the keys and one write for the whole batch, whatever its size.
 */

/** The GRANTs already made under these (wallet, key) pairs, in any order. */
export async function grantsByKeys(
  q: Queryable,
  pairs: ReadonlyArray<{ walletId: string; idempotencyKey: string }>,
): Promise<TransferRow[]> {
  const { rows } = await q.query<TransferRecord>(
    `SELECT t.* FROM unnest($1::uuid[], $2::text[]) AS k(wallet_id, key)
     JOIN transfers t ON t.wallet_id = k.wallet_id AND t.kind = 'GRANT' AND t.idempotency_key = k.key`,
    [pairs.map((p) => p.walletId), pairs.map((p) => p.idempotencyKey)],
  );
  return rows.map(toTransfer);
}

/*
 * The wallets' rows are locked in id order before any funding shard's (as a single grant locks
 * its wallet, then its shard), so batches and single grants running at once cannot deadlock.
 */
const INSERT_GRANTS = `WITH g AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::jsonb[]) WITH ORDINALITY
    AS g(wallet_id, funding_id, amount, key, hash, memo, actor, metadata, ord)
), locked AS MATERIALIZED (
  SELECT id FROM accounts WHERE id IN (SELECT wallet_id FROM g) ORDER BY id FOR NO KEY UPDATE
), per_wallet AS (
  SELECT wallet_id, sum(amount) AS amount FROM g WHERE wallet_id IN (SELECT id FROM locked)
  GROUP BY wallet_id
), w AS (
  UPDATE accounts a SET credits_posted = a.credits_posted + p.amount
  FROM per_wallet p WHERE a.id = p.wallet_id
  RETURNING a.id, a.owed
), per_funding AS (
  SELECT funding_id, sum(amount) AS amount FROM g WHERE wallet_id IN (SELECT id FROM locked)
  GROUP BY funding_id
), f AS (
  UPDATE accounts a SET debits_posted = a.debits_posted + p.amount
  FROM per_funding p WHERE a.id = p.funding_id AND EXISTS (SELECT 1 FROM w)
  RETURNING a.id
)
INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
  idempotency_key, request_hash, memo, created_by, metadata)
SELECT 'GRANT', g.wallet_id, g.funding_id, g.wallet_id, g.amount, g.key, g.hash, g.memo, g.actor,
  g.metadata
FROM g JOIN w ON w.id = g.wallet_id
ORDER BY g.ord
RETURNING *, (SELECT owed FROM w WHERE w.id = transfers.wallet_id) AS wallet_owed`;

/**
 * Credits each grant's wallet from its funding shard and appends the GRANTs, in one statement.
 * Grants of wallets with no account yet are left out (the caller grants them one by one, which
 * opens the account). The keys must be distinct and unused: a key taken meanwhile fails the
 * whole statement with the unique violation, and nothing is written.
 */
export async function insertGrants(
  q: Queryable,
  batch: readonly GrantEntry[],
): Promise<InsertedGrant[]> {
  const { rows } = await q.query<TransferRecord & { wallet_owed: string }>(INSERT_GRANTS, [
    batch.map((g) => g.walletId),
    batch.map((g) => fundingAccountFor(g.walletId)),
    batch.map((g) => g.amount.toString()),
    batch.map((g) => g.idempotencyKey),
    batch.map((g) => g.requestHash),
    batch.map((g) => g.memo),
    batch.map((g) => g.actor),
    batch.map((g) => JSON.stringify(g.metadata)),
  ]);
  return rows.map((row) => ({ transfer: toTransfer(row), walletOwed: BigInt(row.wallet_owed) }));
}
