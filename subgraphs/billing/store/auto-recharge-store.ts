import type { Queryable } from '../../../lib/db/index.js';

/** A team's auto-recharge as stored (store/migrations.ts, auto_recharges). */
export interface AutoRechargeRow {
  teamId: string;
  enabled: boolean;
  /** µcr; null while only a payment method was saved. */
  thresholdCredits: bigint | null;
  amountMinor: number | null;
  /** The provider's PaymentMethod id; never card data. */
  paymentMethodId: string | null;
  disabledByFailures: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  lastRechargeAt: Date | null;
}

interface AutoRechargeRecord {
  team_id: string;
  enabled: boolean;
  threshold_credits: string | null;
  amount_minor: string | null;
  payment_method_id: string | null;
  disabled_by_failures: boolean;
  consecutive_failures: number;
  last_error: string | null;
  last_recharge_at: Date | null;
}

const toRow = (r: AutoRechargeRecord): AutoRechargeRow => ({
  teamId: r.team_id,
  enabled: r.enabled,
  thresholdCredits: r.threshold_credits === null ? null : BigInt(r.threshold_credits),
  amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
  paymentMethodId: r.payment_method_id,
  disabledByFailures: r.disabled_by_failures,
  consecutiveFailures: Number(r.consecutive_failures),
  lastError: r.last_error,
  lastRechargeAt: r.last_recharge_at,
});

/** The auto_recharges table: one row per team that saved a method or set auto-recharge. */
export function createAutoRechargeStore(db: Queryable) {
  return {
    async byTeams(teamIds: readonly string[]): Promise<AutoRechargeRow[]> {
      const { rows } = await db.query<AutoRechargeRecord>(
        'SELECT * FROM auto_recharges WHERE team_id = ANY($1::uuid[])',
        [teamIds],
      );
      return rows.map(toRow);
    },

    async byTeam(teamId: string, tx: Queryable = db): Promise<AutoRechargeRow | null> {
      const { rows } = await tx.query<AutoRechargeRecord>(
        'SELECT * FROM auto_recharges WHERE team_id = $1',
        [teamId],
      );
      return rows[0] ? toRow(rows[0]) : null;
    },

    /** Saves the team's payment method (a newer setup replaces the older one). */
    async savePaymentMethod(teamId: string, paymentMethodId: string): Promise<AutoRechargeRow> {
      const { rows } = await db.query<AutoRechargeRecord>(
        `INSERT INTO auto_recharges (team_id, payment_method_id) VALUES ($1, $2)
         ON CONFLICT (team_id) DO UPDATE SET payment_method_id = $2, updated_at = now()
         RETURNING *`,
        [teamId, paymentMethodId],
      );
      return toRow(rows[0]!);
    },

    /**
     * Sets the team's settings; null when enabling was asked for without a saved method (nothing
     * written: a team without a row has no method, and a method is never removed). Turning it
     * on again clears the count of failures and the platform's own switch-off.
     */
    async saveSettings(input: {
      teamId: string;
      enabled: boolean;
      thresholdCredits: bigint;
      amountMinor: number;
    }): Promise<AutoRechargeRow | null> {
      const params = [input.teamId, input.thresholdCredits.toString(), input.amountMinor];
      if (!input.enabled) {
        const { rows } = await db.query<AutoRechargeRecord>(
          `INSERT INTO auto_recharges (team_id, enabled, threshold_credits, amount_minor)
           VALUES ($1, false, $2, $3)
           ON CONFLICT (team_id) DO UPDATE SET enabled = false, threshold_credits = $2,
             amount_minor = $3, updated_at = now()
           RETURNING *`,
          params,
        );
        return toRow(rows[0]!);
      }
      const { rows } = await db.query<AutoRechargeRecord>(
        `UPDATE auto_recharges SET enabled = true, threshold_credits = $2, amount_minor = $3,
           disabled_by_failures = false,
           consecutive_failures = CASE WHEN enabled THEN consecutive_failures ELSE 0 END,
           updated_at = now()
         WHERE team_id = $1 AND payment_method_id IS NOT NULL
         RETURNING *`,
        params,
      );
      return rows[0] ? toRow(rows[0]) : null;
    },

    /** A recharge was granted: the failures in a row are over. */
    async recordSuccess(teamId: string, tx: Queryable = db): Promise<void> {
      await tx.query(
        `UPDATE auto_recharges SET consecutive_failures = 0, last_error = NULL,
           last_recharge_at = now(), updated_at = now() WHERE team_id = $1`,
        [teamId],
      );
    },

    /**
     * One more failure in a row; at `maxFailures` auto-recharge is turned off. Returns the row
     * as it stands after.
     */
    async recordFailure(
      teamId: string,
      error: string,
      maxFailures: number,
      tx: Queryable = db,
    ): Promise<AutoRechargeRow | null> {
      const { rows } = await tx.query<AutoRechargeRecord>(
        `UPDATE auto_recharges SET consecutive_failures = consecutive_failures + 1,
           last_error = $2,
           enabled = enabled AND consecutive_failures + 1 < $3,
           disabled_by_failures = disabled_by_failures OR (enabled AND consecutive_failures + 1 >= $3),
           updated_at = now()
         WHERE team_id = $1 RETURNING *`,
        [teamId, error, maxFailures],
      );
      return rows[0] ? toRow(rows[0]) : null;
    },
  };
}

export type AutoRechargeStore = ReturnType<typeof createAutoRechargeStore>;
