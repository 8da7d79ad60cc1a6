import type { Queryable } from '../../../lib/db/index.js';
import { sqlConditions } from '../../../lib/db/sql-conditions.js';

export type AuditOutcome = 'SUCCEEDED' | 'DENIED' | 'FAILED';

/** One thing that happened to a team's policy. */
export interface AuditEventRow {
  id: string;
  seq: string;
  teamId: string | null;
  actor: string;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  requestId: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

export type NewAuditEvent = Omit<AuditEventRow, 'id' | 'seq' | 'createdAt'>;

export interface AuditFilter {
  actions?: string[] | null;
  actor?: string | null;
  outcome?: AuditOutcome | null;
  from?: Date | null;
  to?: Date | null;
}

interface AuditRecord {
  id: string;
  seq: string;
  team_id: string | null;
  actor: string;
  action: string;
  outcome: AuditOutcome;
  target_type: string | null;
  target_id: string | null;
  request_id: string;
  details: Record<string, unknown>;
  created_at: Date;
}

const toEvent = (r: AuditRecord): AuditEventRow => ({
  id: r.id,
  seq: String(r.seq),
  teamId: r.team_id,
  actor: r.actor,
  action: r.action,
  outcome: r.outcome,
  targetType: r.target_type,
  targetId: r.target_id,
  requestId: r.request_id,
  details: r.details ?? {},
  createdAt: r.created_at,
});

function where(
  teamId: string | null,
  filter: AuditFilter,
  afterSeq: string | null,
  params: unknown[],
) {
  const where = sqlConditions(params);
  where.add((p) => `team_id IS NOT DISTINCT FROM ${p}::uuid`, teamId);
  if (filter.actions?.length) where.add((p) => `action = ANY(${p}::text[])`, filter.actions);
  if (filter.actor) where.add((p) => `actor = ${p}`, filter.actor);
  if (filter.outcome) where.add((p) => `outcome = ${p}`, filter.outcome);
  if (filter.from) where.add((p) => `created_at >= ${p}`, filter.from);
  if (filter.to) where.add((p) => `created_at < ${p}`, filter.to);
  if (afterSeq !== null) where.add((p) => `seq < ${p}`, afterSeq);
  return where.joined();
}

/** The append-only audit log. */
export function createAuditStore(db: Queryable) {
  return {
    /** Appends events in one statement, in the order given. */
    async append(...events: NewAuditEvent[]): Promise<void> {
      if (events.length === 0) return;
      await db.query(
        `INSERT INTO audit_events (team_id, actor, action, outcome, target_type, target_id, request_id, details)
         SELECT team_id, actor, action, outcome, target_type, target_id, request_id, details
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::jsonb[]) WITH ORDINALITY
           AS e(team_id, actor, action, outcome, target_type, target_id, request_id, details, ord)
         ORDER BY ord`,
        [
          events.map((e) => e.teamId),
          events.map((e) => e.actor),
          events.map((e) => e.action),
          events.map((e) => e.outcome),
          events.map((e) => e.targetType),
          events.map((e) => e.targetId),
          events.map((e) => e.requestId),
          events.map((e) => JSON.stringify(e.details)),
        ],
      );
    },
    /** A team's events (null: org-wide events), newest first, after a cursor. */
    async list(teamId: string | null, filter: AuditFilter, afterSeq: string | null, limit: number) {
      const params: unknown[] = [];
      const sql = where(teamId, filter, afterSeq, params);
      params.push(limit);
      const { rows } = await db.query<AuditRecord>(
        `SELECT * FROM audit_events WHERE ${sql} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toEvent);
    },
    async count(teamId: string | null, filter: AuditFilter): Promise<number> {
      const params: unknown[] = [];
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM audit_events WHERE ${where(teamId, filter, null, params)}`,
        params,
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
