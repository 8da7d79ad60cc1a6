import type { Queryable } from '../../../lib/db/index.js';

export type MismatchKind =
  'PAID_NOT_GRANTED' | 'GRANTED_TWICE' | 'AMOUNT_DIFFERS' | 'REFUNDED_NOT_DEBITED';

/** One mismatch a run found (store/migrations.ts, reconciliation_findings). Credits in µcr. */
export interface ReconciliationFindingRow {
  kind: MismatchKind;
  paymentId: string;
  teamId: string | null;
  purchaseId: string | null;
  expectedCredits: bigint;
  actualCredits: bigint;
  repaired: boolean;
  detail: string;
}

/** One run with what it found (reconciliation_runs). */
export interface ReconciliationRunRow {
  id: string;
  since: Date;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  paymentsChecked: number;
  findings: ReconciliationFindingRow[];
}

interface RunRecord {
  id: string;
  since: Date;
  started_by: string;
  started_at: Date;
  finished_at: Date | null;
  payments_checked: number;
}

interface FindingRecord {
  run_id: string;
  kind: MismatchKind;
  payment_id: string;
  team_id: string | null;
  purchase_id: string | null;
  expected_credits: string;
  actual_credits: string;
  repaired: boolean;
  detail: string;
}

const toFinding = (r: FindingRecord): ReconciliationFindingRow => ({
  kind: r.kind,
  paymentId: r.payment_id,
  teamId: r.team_id,
  purchaseId: r.purchase_id,
  expectedCredits: BigInt(r.expected_credits),
  actualCredits: BigInt(r.actual_credits),
  repaired: r.repaired,
  detail: r.detail,
});

/** Reconciliation's runs, their findings, and the lease that lets one replica run the schedule. */
export function createReconciliationStore(db: Queryable) {
  async function withFindings(runs: RunRecord[]): Promise<ReconciliationRunRow[]> {
    if (runs.length === 0) return [];
    const { rows } = await db.query<FindingRecord>(
      `SELECT * FROM reconciliation_findings WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, seq`,
      [runs.map((r) => r.id)],
    );
    return runs.map((r) => ({
      id: r.id,
      since: r.since,
      startedBy: r.started_by,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      paymentsChecked: Number(r.payments_checked),
      findings: rows.filter((f) => f.run_id === r.id).map(toFinding),
    }));
  }

  return {
    async startRun(run: { id: string; since: Date; startedBy: string }): Promise<void> {
      await db.query(
        'INSERT INTO reconciliation_runs (id, since, started_by) VALUES ($1, $2, $3)',
        [run.id, run.since, run.startedBy],
      );
    },

    /** Writes the run's findings and closes it, in one transaction's worth of statements. */
    async finishRun(
      runId: string,
      paymentsChecked: number,
      findings: readonly ReconciliationFindingRow[],
    ): Promise<ReconciliationRunRow> {
      if (findings.length > 0) {
        await db.query(
          `INSERT INTO reconciliation_findings (run_id, seq, kind, payment_id, team_id, purchase_id,
             expected_credits, actual_credits, repaired, detail)
           SELECT $1, f.ord, f.kind, f.payment_id, f.team_id, f.purchase_id, f.expected_credits,
                  f.actual_credits, f.repaired, f.detail
           FROM unnest($2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::bigint[], $7::bigint[],
                       $8::boolean[], $9::text[])
             WITH ORDINALITY AS f(kind, payment_id, team_id, purchase_id, expected_credits,
                                  actual_credits, repaired, detail, ord)`,
          [
            runId,
            findings.map((f) => f.kind),
            findings.map((f) => f.paymentId),
            findings.map((f) => f.teamId),
            findings.map((f) => f.purchaseId),
            findings.map((f) => f.expectedCredits.toString()),
            findings.map((f) => f.actualCredits.toString()),
            findings.map((f) => f.repaired),
            findings.map((f) => f.detail),
          ],
        );
      }
      const { rows } = await db.query<RunRecord>(
        `UPDATE reconciliation_runs SET finished_at = now(), payments_checked = $2
         WHERE id = $1 RETURNING *`,
        [runId, paymentsChecked],
      );
      return (await withFindings(rows))[0]!;
    },

    /** The newest runs first. */
    async latest(first: number): Promise<ReconciliationRunRow[]> {
      const { rows } = await db.query<RunRecord>(
        'SELECT * FROM reconciliation_runs ORDER BY seq DESC LIMIT $1',
        [first],
      );
      return withFindings(rows);
    },

    /**
     * Takes the named lease for `ttlMs` when it is free or expired (or already `holder`'s); true
     * when `holder` has it now. The database's clock decides, so replicas' clocks need not agree.
     */
    async tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
      const { rows } = await db.query<{ holder: string }>(
        `INSERT INTO reconciliation_lease (name, holder, expires_at)
         VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
           WHERE reconciliation_lease.expires_at <= now() OR reconciliation_lease.holder = $2
         RETURNING holder`,
        [name, holder, ttlMs],
      );
      return rows.length === 1;
    },
  };
}

export type ReconciliationStore = ReturnType<typeof createReconciliationStore>;
