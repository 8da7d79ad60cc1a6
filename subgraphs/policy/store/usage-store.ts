import type { Queryable } from '../../../lib/db/index.js';
import { sqlConditions } from '../../../lib/db/sql-conditions.js';
import type { UsageBatch } from '../../../lib/policy/usage-batch.js';

/** Which usage to read: hours overlapping [since, until), optionally one client's. */
export interface UsageWindow {
  since: Date;
  until: Date;
  clientName?: string | null;
  /** At most this many rows, the most used first. */
  first: number;
}

/** How often one client version's operation used one schema coordinate. */
export interface FieldUsageRow {
  coordinate: string;
  clientName: string;
  clientVersion: string;
  operationHash: string;
  operationName: string;
  count: number;
  /** The start of the last hour it was used in. */
  lastUsedHour: Date;
}

/** How often one client version ran one operation. */
export interface OperationUsageRow {
  operationHash: string;
  operationName: string;
  operationType: string;
  clientName: string;
  clientVersion: string;
  coordinates: string[];
  count: number;
  lastUsedHour: Date;
}

const HOUR_MS = 3_600_000;

/** The hour buckets that overlap the window: those starting after `since` less an hour. */
function windowConditions(window: UsageWindow, params: unknown[]) {
  const where = sqlConditions(params);
  const firstHour = new Date(Math.floor(window.since.getTime() / HOUR_MS) * HOUR_MS);
  where.add((p) => `u.hour >= ${p}`, firstHour);
  where.add((p) => `u.hour < ${p}`, window.until);
  if (window.clientName != null) where.add((p) => `u.client_name = ${p}`, window.clientName);
  return where;
}

/** Field usage: per-hour operation counts, and each operation's coordinates. */
export function createUsageStore(db: Queryable) {
  return {
    /** Adds a batch's counts (and records operations not seen before); the rows added to. */
    async record(batch: UsageBatch): Promise<number> {
      if (batch.operations.length > 0) {
        await db.query(
          `INSERT INTO usage_operations (hash, name, type, coordinates)
           SELECT hash, name, type, coordinates
             FROM jsonb_to_recordset($1::jsonb)
               AS x(hash text, name text, type text, coordinates text[])
           ON CONFLICT (hash, name) DO NOTHING`,
          [JSON.stringify(batch.operations)],
        );
      }
      if (batch.counts.length === 0) return 0;
      const { rowCount } = await db.query(
        `INSERT INTO operation_usage AS u (hour, client_name, client_version, hash, name, count)
         SELECT hour, "clientName", "clientVersion", hash, name, sum(count)
           FROM jsonb_to_recordset($1::jsonb)
             AS x(hour timestamptz, "clientName" text, "clientVersion" text, hash text,
                  name text, count bigint)
          GROUP BY 1, 2, 3, 4, 5
         ON CONFLICT (hour, client_name, client_version, hash, name)
         DO UPDATE SET count = u.count + EXCLUDED.count`,
        [JSON.stringify(batch.counts)],
      );
      return rowCount;
    },

    /**
     * Drops the counts of hours before `before`, and the operations no count names any more;
     * how many count rows went.
     */
    async prune(before: Date): Promise<number> {
      const { rowCount } = await db.query('DELETE FROM operation_usage WHERE hour < $1', [before]);
      if (rowCount > 0) {
        await db.query(
          `DELETE FROM usage_operations o
            WHERE NOT EXISTS (SELECT 1 FROM operation_usage u WHERE u.hash = o.hash AND u.name = o.name)`,
        );
      }
      return rowCount;
    },

    /** Per coordinate, client version and operation: how often, most used first. */
    async fieldUsage(window: UsageWindow, coordinates?: string[] | null) {
      const params: unknown[] = [];
      const where = windowConditions(window, params);
      if (coordinates) where.add((p) => `c.coordinate = ANY(${p}::text[])`, coordinates);
      params.push(window.first);
      const { rows } = await db.query<FieldUsageRow & { count: string }>(
        `SELECT c.coordinate, u.client_name AS "clientName", u.client_version AS "clientVersion",
                u.hash AS "operationHash", u.name AS "operationName",
                sum(u.count) AS count, max(u.hour) AS "lastUsedHour"
           FROM operation_usage u
           JOIN usage_operations o ON o.hash = u.hash AND o.name = u.name
          CROSS JOIN LATERAL unnest(o.coordinates) AS c(coordinate)
          WHERE ${where.joined()}
          GROUP BY 1, 2, 3, 4, 5
          ORDER BY count DESC, 1, 2, 3, 5, 4
          LIMIT $${params.length}`,
        params,
      );
      return rows.map((r) => ({ ...r, count: Number(r.count) }));
    },

    /** Per operation and client version: how often, most used first. */
    async operationUsage(window: UsageWindow) {
      const params: unknown[] = [];
      const where = windowConditions(window, params);
      params.push(window.first);
      const { rows } = await db.query<OperationUsageRow & { count: string }>(
        `SELECT u.hash AS "operationHash", u.name AS "operationName", o.type AS "operationType",
                u.client_name AS "clientName", u.client_version AS "clientVersion",
                o.coordinates, sum(u.count) AS count, max(u.hour) AS "lastUsedHour"
           FROM operation_usage u
           JOIN usage_operations o ON o.hash = u.hash AND o.name = u.name
          WHERE ${where.joined()}
          GROUP BY u.hash, u.name, o.type, u.client_name, u.client_version, o.coordinates
          ORDER BY count DESC, 2, 4, 5, 1
          LIMIT $${params.length}`,
        params,
      );
      return rows.map((r) => ({ ...r, count: Number(r.count) }));
    },
  };
}
