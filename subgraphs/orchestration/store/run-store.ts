import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../lib/auth/principal.js';
import type { Db } from '../../../lib/db/index.js';
import type { CompletedStep, RunJournal, StepRecord } from '../service/flows/flow-runner.js';

export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface RunRow {
  id: string;
  /** Its place among runs, for paging (a decimal string). */
  seq: string;
  teamId: string;
  flowId: string;
  version: number;
  idempotencyKey: string | null;
  requestHash: string;
  inputs: unknown;
  dataClass: string;
  maxCost: bigint;
  status: RunStatus;
  holdId: string | null;
  cost: bigint;
  inputTokens: number;
  outputTokens: number;
  output: unknown;
  error: { code: string; message: string } | null;
  cancelRequested: boolean;
  owner: string | null;
  leaseUntil: Date | null;
  attempts: number;
  createdBy: string;
  /** Who created it, as authenticated then: the run's model calls are made for them. */
  creator: Principal;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface NewRun {
  teamId: string;
  flowId: string;
  version: number;
  idempotencyKey?: string;
  requestHash: string;
  inputs: unknown;
  dataClass: string;
  maxCost: bigint;
  /** Who asks for it: its model calls are made for them, on whichever replica works it. */
  creator: Principal;
}

const RUN = `id, seq::text, team_id, flow_id, version, idempotency_key, request_hash, inputs, data_class,
  max_cost::text, status, hold_id, cost::text, input_tokens::text, output_tokens::text, output,
  error, cancel_requested, owner, lease_until, attempts, created_by, created_by_principal,
  created_at, started_at, ended_at`;

type RunRecord = Record<string, unknown>;
const runOf = (r: RunRecord): RunRow => ({
  id: r.id as string,
  seq: r.seq as string,
  teamId: r.team_id as string,
  flowId: r.flow_id as string,
  version: r.version as number,
  idempotencyKey: r.idempotency_key as string | null,
  requestHash: r.request_hash as string,
  inputs: r.inputs,
  dataClass: r.data_class as string,
  maxCost: BigInt(r.max_cost as string),
  status: r.status as RunStatus,
  holdId: r.hold_id as string | null,
  cost: BigInt(r.cost as string),
  inputTokens: Number(r.input_tokens),
  outputTokens: Number(r.output_tokens),
  output: r.output ?? null,
  error: (r.error as RunRow['error']) ?? null,
  cancelRequested: r.cancel_requested as boolean,
  owner: r.owner as string | null,
  leaseUntil: r.lease_until as Date | null,
  attempts: r.attempts as number,
  createdBy: r.created_by as string,
  creator: r.created_by_principal as Principal,
  createdAt: r.created_at as Date,
  startedAt: r.started_at as Date | null,
  endedAt: r.ended_at as Date | null,
});

const STEP = `path, step_id, kind, status, attempts, cost::text, input_tokens, output_tokens,
  output, error, started_at, ended_at`;
const stepOf = (r: RunRecord): StepRecord => ({
  path: r.path as string,
  stepId: r.step_id as string,
  kind: r.kind as StepRecord['kind'],
  status: r.status as StepRecord['status'],
  attempts: r.attempts as number,
  cost: BigInt(r.cost as string),
  inputTokens: r.input_tokens as number,
  outputTokens: r.output_tokens as number,
  output: r.output ?? undefined,
  error: (r.error as StepRecord['error']) ?? undefined,
  startedAt: r.started_at as Date,
  endedAt: (r.ended_at as Date | null) ?? undefined,
});

/**
 * Flow runs and their steps. A run is worked by one replica at a time under a lease it renews;
 * a replica that dies lets its lease lapse, and another claims the run and resumes it from its
 * journal (decision 100).
 */
export function createRunStore(db: Db) {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<RunRecord>(sql, params);
    return rows[0] ? runOf(rows[0]) : null;
  };

  return {
    /** The run, made once per team and idempotency key: `created` false returns the earlier one. */
    async create(input: NewRun): Promise<{ run: RunRow; created: boolean }> {
      const made = await one(
        `INSERT INTO flow_runs (id, team_id, flow_id, version, idempotency_key, request_hash,
           inputs, data_class, max_cost, status, created_by, created_by_principal)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'QUEUED', $10, $11)
         ON CONFLICT (team_id, idempotency_key) DO NOTHING RETURNING ${RUN}`,
        [
          randomUUID(),
          input.teamId,
          input.flowId,
          input.version,
          input.idempotencyKey ?? null,
          input.requestHash,
          JSON.stringify(input.inputs),
          input.dataClass,
          String(input.maxCost),
          input.creator.id,
          JSON.stringify(input.creator),
        ],
      );
      if (made) return { run: made, created: true };
      const earlier = await one(
        `SELECT ${RUN} FROM flow_runs WHERE team_id = $1 AND idempotency_key = $2`,
        [input.teamId, input.idempotencyKey],
      );
      return { run: earlier!, created: false };
    },

    byId: (id: string) => one(`SELECT ${RUN} FROM flow_runs WHERE id = $1`, [id]),

    /** A team's runs, newest first, before the run numbered `beforeSeq` when given. */
    async list(teamId: string, limit: number, beforeSeq: string | null = null) {
      const { rows } = await db.query<RunRecord>(
        `SELECT ${RUN} FROM flow_runs WHERE team_id = $1 AND ($3::bigint IS NULL OR seq < $3)
         ORDER BY seq DESC LIMIT $2`,
        [teamId, limit, beforeSeq],
      );
      return rows.map(runOf);
    },

    async count(teamId: string) {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM flow_runs WHERE team_id = $1',
        [teamId],
      );
      return Number(rows[0]!.n);
    },

    /** Takes the run for `owner` if nobody holds it (or the lease lapsed); null otherwise. */
    claim: (runId: string, owner: string, leaseMs: number) =>
      one(
        `UPDATE flow_runs SET owner = $2, lease_until = now() + $3 * interval '1 millisecond',
           status = 'RUNNING', started_at = COALESCE(started_at, now()), attempts = attempts + 1
         WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')
           AND (owner IS NULL OR owner = $2 OR lease_until < now())
         RETURNING ${RUN}`,
        [runId, owner, leaseMs],
      ),

    /**
     * Unfinished runs whose lease lapsed (their replica died), or queued a lease's length ago and
     * never claimed, taken for `owner`.
     */
    async claimLapsed(owner: string, leaseMs: number, limit: number) {
      const { rows } = await db.query<RunRecord>(
        `UPDATE flow_runs SET owner = $1, lease_until = now() + $2 * interval '1 millisecond',
           status = 'RUNNING', started_at = COALESCE(started_at, now()), attempts = attempts + 1
         WHERE id IN (SELECT id FROM flow_runs
                      WHERE status IN ('QUEUED', 'RUNNING')
                        AND (lease_until < now() OR (owner IS NULL
                             AND created_at < now() - $2 * interval '1 millisecond'))
                      ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING ${RUN}`,
        [owner, leaseMs, limit],
      );
      return rows.map(runOf);
    },

    /** Extends `owner`'s lease; whether a cancel was asked, or null when the run is no longer its. */
    async renew(runId: string, owner: string, leaseMs: number) {
      const run = await one(
        `UPDATE flow_runs SET lease_until = now() + $3 * interval '1 millisecond'
         WHERE id = $1 AND owner = $2 AND status = 'RUNNING' RETURNING ${RUN}`,
        [runId, owner, leaseMs],
      );
      return run && { cancelRequested: run.cancelRequested };
    },

    setHold: (runId: string, holdId: string) =>
      db.query('UPDATE flow_runs SET hold_id = $2 WHERE id = $1 AND hold_id IS NULL', [
        runId,
        holdId,
      ]),

    /** Asks a queued or running run to stop; the run as it is now (null: no such run). */
    requestCancel: (runId: string) =>
      one(
        `UPDATE flow_runs SET cancel_requested = true
         WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING ${RUN}`,
        [runId],
      ),

    /** Ends `owner`'s run; null when it is not (or no longer) its to end. */
    finish: (
      runId: string,
      owner: string,
      end: {
        status: Exclude<RunStatus, 'QUEUED' | 'RUNNING'>;
        cost: bigint;
        inputTokens: number;
        outputTokens: number;
        output?: unknown;
        error?: { code: string; message: string };
      },
    ) =>
      one(
        `UPDATE flow_runs SET status = $3, cost = $4, input_tokens = $5, output_tokens = $6,
           output = $7, error = $8, ended_at = now(), owner = NULL, lease_until = NULL
         WHERE id = $1 AND owner = $2 AND status = 'RUNNING' RETURNING ${RUN}`,
        [
          runId,
          owner,
          end.status,
          String(end.cost),
          end.inputTokens,
          end.outputTokens,
          end.output === undefined ? null : JSON.stringify(end.output),
          end.error ? JSON.stringify(end.error) : null,
        ],
      ),

    /**
     * The run's steps with the order of their journal writes: `startedSeq` when the step started,
     * `endedSeq` when it ended (null while under way); both from one sequence.
     */
    async stepEvents(runId: string) {
      const { rows } = await db.query<RunRecord>(
        `SELECT ${STEP}, seq::text, ended_seq::text FROM flow_run_steps WHERE run_id = $1`,
        [runId],
      );
      return rows.map((r) => ({
        step: stepOf(r),
        startedSeq: BigInt(r.seq as string),
        endedSeq: r.ended_seq === null ? null : BigInt(r.ended_seq as string),
      }));
    },

    /** The steps of several runs, each run's in the order they started. */
    async stepsOfRuns(runIds: readonly string[]) {
      const { rows } = await db.query<RunRecord>(
        `SELECT run_id, ${STEP} FROM flow_run_steps WHERE run_id = ANY($1::uuid[]) ORDER BY seq`,
        [runIds],
      );
      return rows.map((r) => ({ runId: r.run_id as string, step: stepOf(r) }));
    },

    async steps(runId: string) {
      const { rows } = await db.query<RunRecord>(
        `SELECT ${STEP} FROM flow_run_steps WHERE run_id = $1 ORDER BY seq`,
        [runId],
      );
      return rows.map(stepOf);
    },

    /** The runner's journal for one run, with the steps an earlier attempt finished. */
    async journal(runId: string): Promise<RunJournal> {
      const completed = new Map<string, CompletedStep>();
      for (const step of await this.steps(runId)) {
        if (step.status === 'SUCCEEDED') completed.set(step.path, step);
      }
      const write = async (r: StepRecord) => {
        await db.query(
          `INSERT INTO flow_run_steps (run_id, path, step_id, kind, status, attempts, cost,
             input_tokens, output_tokens, output, error, started_at, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (run_id, path) DO UPDATE SET status = EXCLUDED.status,
             attempts = EXCLUDED.attempts, cost = EXCLUDED.cost,
             input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,
             output = EXCLUDED.output, error = EXCLUDED.error, started_at = EXCLUDED.started_at,
             ended_at = EXCLUDED.ended_at,
             ended_seq = CASE WHEN EXCLUDED.status = 'RUNNING' THEN NULL
                              ELSE nextval('flow_run_step_events') END`,
          [
            runId,
            r.path,
            r.stepId,
            r.kind,
            r.status,
            r.attempts,
            String(r.cost),
            r.inputTokens,
            r.outputTokens,
            r.output === undefined ? null : JSON.stringify(r.output),
            r.error ? JSON.stringify(r.error) : null,
            r.startedAt,
            r.endedAt ?? null,
          ],
        );
        if (r.status === 'SUCCEEDED') completed.set(r.path, r);
      };
      return { completed: (path) => completed.get(path), stepStarted: write, stepFinished: write };
    },
  };
}

export type RunStore = ReturnType<typeof createRunStore>;
