import type { Principal } from '../../../lib/auth/principal.js';
import type { Db, Queryable } from '../../../lib/db/index.js';
import { notFound } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import { createAuditStore, type NewAuditEvent } from '../store/audit-store.js';
import { createTeamStore } from '../store/team-store.js';
import type { TeamRow } from '../store/rows.js';

/** Who is asking, for authorization and for the audit log. */
export interface Caller {
  principal: Principal;
  requestId: string;
}

/** An audit event as a change describes it; the actor, request and outcome are filled in. */
export type Audit = Omit<NewAuditEvent, 'actor' | 'requestId' | 'outcome'>;

/** The team `teamId`, or NOT_FOUND (BAD_USER_INPUT for what is not a team id). */
export async function requireTeam(db: Queryable, teamId: string): Promise<TeamRow> {
  assertUuid(teamId, 'teamId');
  const [team] = await createTeamStore(db).byIds([teamId]);
  if (!team) throw notFound('Team', teamId);
  return team;
}

/**
 * Every policy change is written to the audit log in its own transaction; every refusal
 * (FORBIDDEN) is written as DENIED, outside it, so the refusal is kept when the change rolls back.
 */
export function createAuditTrail(db: Db) {
  const record = (q: Queryable, caller: Caller, event: Audit, outcome: 'SUCCEEDED' | 'DENIED') =>
    createAuditStore(q).append({
      ...event,
      actor: caller.principal.id,
      requestId: caller.requestId,
      outcome,
    });

  return {
    /** Runs a change and its audit event in one transaction; a FORBIDDEN refusal is recorded. */
    async audited<T>(
      caller: Caller,
      denied: Audit,
      change: (tx: Queryable) => Promise<{ result: T; event: Audit }>,
    ): Promise<T> {
      try {
        return await db.transaction(async (tx) => {
          const { result, event } = await change(tx);
          await record(tx, caller, event, 'SUCCEEDED');
          return result;
        });
      } catch (error) {
        if ((error as { extensions?: { code?: string } }).extensions?.code === 'FORBIDDEN') {
          await record(
            db,
            caller,
            { ...denied, details: { ...denied.details, reason: (error as Error).message } },
            'DENIED',
          );
        }
        throw error;
      }
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
