import type { Queryable } from '../../../lib/db/index.js';
import type { TokenUsage } from '../providers/types.js';

/** A served call's charge, as the wallet is asked for it (the same request every time). */
export interface PendingCharge {
  teamId: string;
  /** CAPTURE: `wallet.capture` of the hold; SPEND: `wallet.spend` against it. */
  kind: 'CAPTURE' | 'SPEND';
  holdId: string;
  amount: bigint;
  idempotencyKey: string;
  usage: TokenUsage & { modelId: string; priceVersion: number };
  /** The request that served the call, for the wallet's logs and ours. */
  requestId: string;
}

/** A charge in the outbox, as a claim returns it. */
export interface OutboxRow extends PendingCharge {
  id: string;
  /** Sends so far, this claim's included. */
  attempts: number;
}

interface OutboxRecord {
  id: string;
  team_id: string;
  kind: 'CAPTURE' | 'SPEND';
  hold_id: string;
  amount: string;
  idempotency_key: string;
  usage: PendingCharge['usage'];
  request_id: string;
  attempts: number;
}

const toRow = (r: OutboxRecord): OutboxRow => ({
  id: r.id,
  teamId: r.team_id,
  kind: r.kind,
  holdId: r.hold_id,
  amount: BigInt(r.amount),
  idempotencyKey: r.idempotency_key,
  usage: r.usage,
  requestId: r.request_id,
  attempts: r.attempts,
});

const seconds = (ms: number) => ms / 1000;

/** The charge_outbox table's statements (store/migrations.ts). */
export function createChargeOutboxRows(db: Queryable) {
  return {
    /** Inserts `charge`, first due after `dueInMs`; a charge already there is left as it is. */
    async insert(charge: PendingCharge, dueInMs: number): Promise<void> {
      await db.query(
        `INSERT INTO charge_outbox (team_id, kind, hold_id, amount, idempotency_key, usage,
           request_id, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))
         ON CONFLICT (team_id, kind, idempotency_key) DO NOTHING`,
        [
          charge.teamId,
          charge.kind,
          charge.holdId,
          charge.amount.toString(),
          charge.idempotencyKey,
          JSON.stringify(charge.usage),
          charge.requestId,
          seconds(dueInMs),
        ],
      );
    },

    /**
     * Claims up to `limit` due rows for `claimMs`: no other claim gets them until then (SKIP
     * LOCKED: concurrent claims take different rows and never wait for each other).
     */
    async claimDue(limit: number, claimMs: number): Promise<OutboxRow[]> {
      const { rows } = await db.query<OutboxRecord>(
        `UPDATE charge_outbox SET attempts = attempts + 1,
           next_attempt_at = now() + make_interval(secs => $2)
         WHERE id IN (SELECT id FROM charge_outbox
           WHERE failed_at IS NULL AND next_attempt_at <= now()
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, team_id, kind, hold_id, amount, idempotency_key, usage, request_id,
           attempts`,
        [limit, seconds(claimMs)],
      );
      return rows.map(toRow);
    },

    /** Removes a confirmed charge; false when it was already gone (another send confirmed it). */
    async remove(id: string): Promise<boolean> {
      return (await db.query('DELETE FROM charge_outbox WHERE id = $1', [id])).rowCount > 0;
    },

    /** Sends the row again after `delayMs`, keeping why this send failed. */
    async retryLater(id: string, delayMs: number, error: string): Promise<void> {
      await db.query(
        `UPDATE charge_outbox SET next_attempt_at = now() + make_interval(secs => $2),
           last_error = $3 WHERE id = $1`,
        [id, seconds(delayMs), error],
      );
    },

    /** Keeps the row, never sent again on its own: the wallet refused it for good. */
    async markFailed(id: string, error: string): Promise<void> {
      await db.query('UPDATE charge_outbox SET failed_at = now(), last_error = $2 WHERE id = $1', [
        id,
        error,
      ]);
    },

    /** Charges still waiting for the wallet (failed ones apart). */
    async countPending(): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM charge_outbox WHERE failed_at IS NULL',
      );
      return rows[0]?.n ?? 0;
    },
  };
}

export type ChargeOutboxRows = ReturnType<typeof createChargeOutboxRows>;
