import type { Queryable } from '../../../lib/db/index.js';

export type RechargeStatus = 'DUE' | 'CHARGING' | 'SUCCEEDED' | 'FAILED' | 'ABANDONED';

/** One recharge: the charge made for one low-balance crossing (store/migrations.ts, recharges). */
export interface RechargeRow {
  crossingId: string;
  teamId: string;
  purchaseId: string;
  amountMinor: number;
  paymentMethodId: string;
  status: RechargeStatus;
  /** PaymentIntents asked for so far (the current one included while CHARGING). */
  attempts: number;
  nextAttemptAt: Date;
  paymentId: string | null;
  failedPaymentIds: string[];
  lastError: string | null;
}

interface RechargeRecord {
  crossing_id: string;
  team_id: string;
  purchase_id: string;
  amount_minor: string;
  payment_method_id: string;
  status: RechargeStatus;
  attempts: number;
  next_attempt_at: Date;
  payment_id: string | null;
  failed_payment_ids: string[];
  last_error: string | null;
}

const toRow = (r: RechargeRecord): RechargeRow => ({
  crossingId: r.crossing_id,
  teamId: r.team_id,
  purchaseId: r.purchase_id,
  amountMinor: Number(r.amount_minor),
  paymentMethodId: r.payment_method_id,
  status: r.status,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  paymentId: r.payment_id,
  failedPaymentIds: r.failed_payment_ids ?? [],
  lastError: r.last_error,
});

const CROSSINGS_FEED = 'balance-crossings';

/** The recharges table and billing's place in the wallet's crossings feed. */
export function createRechargeStore(db: Queryable) {
  return {
    /**
     * Takes (or renews) the lease on the crossings feed for `owner` and answers the cursor to
     * read from; undefined while another replica holds it.
     */
    async leaseFeed(
      owner: string,
      leaseMs: number,
    ): Promise<{ cursor: string | null } | undefined> {
      const { rows } = await db.query<{ cursor: string | null }>(
        `UPDATE feed_cursors SET leased_by = $2,
           leased_until = now() + make_interval(secs => $3::double precision / 1000)
         WHERE feed = $1 AND (leased_by IS NULL OR leased_by = $2 OR leased_until < now())
         RETURNING cursor`,
        [CROSSINGS_FEED, owner, leaseMs],
      );
      return rows[0];
    },

    /** Moves the cursor on, only while `owner` holds the lease. */
    async advanceFeed(owner: string, cursor: string, tx: Queryable = db): Promise<boolean> {
      const { rowCount } = await tx.query(
        `UPDATE feed_cursors SET cursor = $3 WHERE feed = $1 AND leased_by = $2`,
        [CROSSINGS_FEED, owner, cursor],
      );
      return rowCount > 0;
    },

    async releaseFeed(owner: string): Promise<void> {
      await db.query(
        `UPDATE feed_cursors SET leased_by = NULL, leased_until = NULL
         WHERE feed = $1 AND leased_by = $2`,
        [CROSSINGS_FEED, owner],
      );
    },

    /**
     * Records the recharge of one crossing, due now; false when the crossing already has one or
     * the team has one unfinished (the unique indexes decide, so two readers make one).
     */
    async open(
      input: {
        crossingId: string;
        teamId: string;
        purchaseId: string;
        amountMinor: number;
        paymentMethodId: string;
      },
      tx: Queryable = db,
    ): Promise<boolean> {
      const { rowCount } = await tx.query(
        `INSERT INTO recharges (crossing_id, team_id, purchase_id, amount_minor, payment_method_id,
           status)
         VALUES ($1, $2, $3, $4, $5, 'DUE') ON CONFLICT DO NOTHING`,
        [
          input.crossingId,
          input.teamId,
          input.purchaseId,
          input.amountMinor,
          input.paymentMethodId,
        ],
      );
      return rowCount > 0;
    },

    /**
     * Claims up to `limit` recharges to charge now: those due, and those a worker claimed but
     * never got an answer for before its claim ran out (asked again under the same attempt, so
     * the provider's idempotency key replays it). SKIP LOCKED: two replicas never claim one.
     */
    async claimDue(limit: number, claimMs: number): Promise<RechargeRow[]> {
      const { rows } = await db.query<RechargeRecord>(
        `UPDATE recharges r SET status = 'CHARGING',
           attempts = CASE WHEN r.status = 'DUE' THEN r.attempts + 1 ELSE r.attempts END,
           claimed_until = now() + make_interval(secs => $2::double precision / 1000),
           updated_at = now()
         WHERE r.crossing_id IN (
           SELECT crossing_id FROM recharges
           WHERE (status = 'DUE' AND next_attempt_at <= now())
              OR (status = 'CHARGING' AND payment_id IS NULL AND claimed_until < now())
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING r.*`,
        [limit, claimMs],
      );
      return rows.map(toRow);
    },

    /**
     * Recharges charged at least `olderThanMs` ago whose outcome never arrived (a lost event),
     * for the worker to ask the provider about.
     */
    async staleCharged(olderThanMs: number, limit: number): Promise<RechargeRow[]> {
      const { rows } = await db.query<RechargeRecord>(
        `SELECT * FROM recharges
         WHERE status = 'CHARGING' AND payment_id IS NOT NULL
           AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
         ORDER BY updated_at LIMIT $2`,
        [olderThanMs, limit],
      );
      return rows.map(toRow);
    },

    /** Marks a stale recharge as looked at now, so the next look waits again. */
    async touch(crossingId: string): Promise<void> {
      await db.query(`UPDATE recharges SET updated_at = now() WHERE crossing_id = $1`, [
        crossingId,
      ]);
    },

    /** The provider answered the attempt with a PaymentIntent that did not fail (yet). */
    async charged(crossingId: string, attempt: number, paymentId: string): Promise<void> {
      await db.query(
        `UPDATE recharges SET payment_id = $3, claimed_until = NULL, updated_at = now()
         WHERE crossing_id = $1 AND attempts = $2 AND status = 'CHARGING'`,
        [crossingId, attempt, paymentId],
      );
    },

    /** The recharge of a purchase, locked for the rest of `tx` when `lock`. */
    async byPurchase(purchaseId: string, tx: Queryable = db, lock = false) {
      const { rows } = await tx.query<RechargeRecord>(
        `SELECT * FROM recharges WHERE purchase_id = $1${lock ? ' FOR UPDATE' : ''}`,
        [purchaseId],
      );
      return rows[0] ? toRow(rows[0]) : null;
    },

    /** Unfinished recharges of these teams (at most one each). */
    async openOfTeams(teamIds: readonly string[]): Promise<RechargeRow[]> {
      const { rows } = await db.query<RechargeRecord>(
        `SELECT * FROM recharges WHERE team_id = ANY($1::uuid[]) AND status IN ('DUE', 'CHARGING')`,
        [teamIds],
      );
      return rows.map(toRow);
    },

    /** Moves an unfinished recharge to its end; false when it had already ended. */
    async finish(
      purchaseId: string,
      status: 'SUCCEEDED' | 'FAILED' | 'ABANDONED',
      paymentId: string | null,
      tx: Queryable = db,
    ): Promise<boolean> {
      const { rowCount } = await tx.query(
        `UPDATE recharges SET status = $2, payment_id = COALESCE($3, payment_id),
           claimed_until = NULL, updated_at = now()
         WHERE purchase_id = $1 AND status IN ('DUE', 'CHARGING')`,
        [purchaseId, status, paymentId],
      );
      return rowCount > 0;
    },

    /** Counts one PaymentIntent's failure and sets when to try again (or ends it: `retryAt` null). */
    async failed(
      input: { purchaseId: string; paymentId: string | null; error: string; retryAt: Date | null },
      tx: Queryable = db,
    ): Promise<void> {
      await tx.query(
        `UPDATE recharges SET status = CASE WHEN $4::timestamptz IS NULL THEN 'FAILED' ELSE 'DUE' END,
           next_attempt_at = COALESCE($4, next_attempt_at),
           failed_payment_ids = CASE WHEN $2::text IS NULL THEN failed_payment_ids
             ELSE array_append(failed_payment_ids, $2) END,
           payment_id = NULL, last_error = $3, claimed_until = NULL, updated_at = now()
         WHERE purchase_id = $1`,
        [input.purchaseId, input.paymentId, input.error, input.retryAt],
      );
    },
  };
}

export type RechargeStore = ReturnType<typeof createRechargeStore>;
