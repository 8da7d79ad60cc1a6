import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Most distinct statement texts prepared per process; texts beyond it are sent unnamed. */
const MOST_PREPARED = 500;

/**
 * Parameterized statements go to the server as named prepared statements, so each connection
 * plans a text once and reuses the plan: the ledger's statements (CTEs of several writes) took
 * ~1.5 ms to plan and ~0.3 ms to run, and node-postgres plans an unnamed statement every time
 * (decision 66). The name is a hash of the text; texts are ours and few, and past
 * MOST_PREPARED distinct ones (a dynamic text gone wrong) the rest are sent unnamed.
 */
export function createStatementNamer() {
  const names = new Map<string, string | null>();
  const statement = (sql: string, params: readonly unknown[] | undefined): pg.QueryConfig => {
    if (!params || params.length === 0) return { text: sql };
    let name = names.get(sql);
    if (name === undefined && names.size < MOST_PREPARED) {
      name = `mg_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
      names.set(sql, name);
    }
    return { text: sql, values: params as unknown[], ...(name && { name }) };
  };
  return Object.assign(statement, {
    /**
     * A text whose prepared plan went stale (a migration changed what `RETURNING *` returns
     * while this process ran) is sent unnamed from now on.
     */
    unprepare: (sql: string) => void names.set(sql, null),
  });
}

/** The error PostgreSQL gives when a prepared statement's result shape changed under it. */
export const stalePlan = (error: unknown) =>
  (error as { code?: string }).code === '0A000' &&
  /cached plan must not change result type/.test((error as Error).message);
