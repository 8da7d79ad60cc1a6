import type { Queryable } from '../../../lib/db/index.js';
import { toTransfer, type TransferRecord, type TransferRow } from './transfer-rows.js';

/** Which open hold a resolution takes: a named one, or the next one past its expiry. */
export type ResolutionTarget = { holdId: string; onlyIfUnexpired: boolean } | { nextExpired: true };

export interface Resolution {
  kind: 'CAPTURE' | 'VOID' | 'EXPIRE';
  target: ResolutionTarget;
  /** What is captured (0 for VOID and EXPIRE); the rest of the hold is released. */
  amount: bigint;
  idempotencyKey: string | null;
  requestHash: string | null;
  metadata: Record<string, unknown>;
  actor: string;
}

/*
 * One statement resolves one hold, so it is all or nothing and holds the wallet's row lock only for
 * its own duration and commit:
 *   1. delete the hold from open_holds: only one resolver can get the row (capture, void and the
 *      sweeper race here; the unique index on transfers.pending_id backs it up);
 *   2. wallet account: pending debit released, captured amount posted, month's spend counted;
 *   3. the revenue shard, after the wallet (the same lock order as every other operation);
 *   4. the resolution transfer, append-only.
 * Months are UTC calendar months by the ledger's clock.
 */
function resolutionSql(target: ResolutionTarget): string {
  const pick =
    'nextExpired' in target
      ? `$6::uuid IS NULL AND o.hold_id = (SELECT hold_id FROM open_holds WHERE expires_at <= ledger_now()
           ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED)`
      : `o.hold_id = $6${target.onlyIfUnexpired ? ' AND o.expires_at > ledger_now()' : ''}`;
  return `
WITH h AS (
  DELETE FROM open_holds o WHERE ${pick} RETURNING o.hold_id
), hd AS (
  SELECT t.id AS hold_id, t.wallet_id, t.amount AS held, t.credit_account_id
  FROM h JOIN transfers t ON t.id = h.hold_id
), w AS (
  UPDATE accounts a SET
    debits_pending = a.debits_pending - hd.held,
    debits_posted = a.debits_posted + $1,
    month_spend = CASE WHEN a.spend_month = date_trunc('month', ledger_now())::date
                       THEN a.month_spend + $1 ELSE $1 END,
    spend_month = date_trunc('month', ledger_now())::date
  FROM hd WHERE a.id = hd.wallet_id
  RETURNING a.id
), r AS (
  UPDATE accounts a SET
    credits_pending = a.credits_pending - hd.held,
    credits_posted = a.credits_posted + $1
  FROM hd WHERE a.id = hd.credit_account_id AND EXISTS (SELECT 1 FROM w)
  RETURNING a.id
)
INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount, released,
  pending_id, idempotency_key, request_hash, metadata, created_by)
SELECT $7, hd.wallet_id, hd.wallet_id, hd.credit_account_id, $1, hd.held, hd.hold_id, $2, $3, $4, $5
FROM hd
RETURNING *`;
}

/** Resolves one hold; undefined when no open hold matched (resolved already, or expired). */
export async function resolveHold(
  db: Queryable,
  resolution: Resolution,
): Promise<TransferRow | undefined> {
  const params: unknown[] = [
    resolution.amount.toString(),
    resolution.idempotencyKey,
    resolution.requestHash,
    JSON.stringify(resolution.metadata),
    resolution.actor,
    'holdId' in resolution.target ? resolution.target.holdId : null,
    resolution.kind,
  ];
  const { rows } = await db.query<TransferRecord>(resolutionSql(resolution.target), params);
  return rows[0] && toTransfer(rows[0]);
}
