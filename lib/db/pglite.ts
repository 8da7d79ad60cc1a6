import { PGlite, types } from '@electric-sql/pglite';
import { assertSchemaName, type Db, type Queryable } from './types.js';

export interface PgliteOptions {
  schema: string;
  /** Directory to keep data in; in memory when unset. */
  dataDir?: string;
}

/**
 * Embedded Postgres (PGlite, WASM) for a newcomer's machine. It has one connection, so every query
 * and transaction goes through one queue; int8 and numeric come back as strings, as with `pg`.
 */
export async function createPgliteDb({ schema, dataDir }: PgliteOptions): Promise<Db> {
  assertSchemaName(schema);
  const asText = (value: string) => value;
  const lite = await PGlite.create(dataDir ?? 'memory://', {
    parsers: { [types.INT8]: asText, [types.NUMERIC]: asText },
  });
  await lite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema};`);

  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const rawQuery: Queryable['query'] = async (sql, params) => {
    const result = await lite.query<never>(sql, params as unknown[] | undefined);
    // PGlite reports affectedRows 0 for a SELECT; count what came back, as pg does.
    const rowCount = result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
    return { rows: result.rows, rowCount };
  };
  const rawExec = async (sql: string) => {
    await lite.exec(sql);
  };

  return {
    kind: 'pglite',
    schema,
    query: (sql, params) => exclusive(() => rawQuery(sql, params)),
    exec: (sql) => exclusive(() => rawExec(sql)),
    transaction: (fn) =>
      exclusive(async () => {
        await lite.query('BEGIN');
        try {
          const result = await fn({ query: rawQuery, exec: rawExec });
          await lite.query('COMMIT');
          return result;
        } catch (error) {
          await lite.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    async ping() {
      await exclusive(() => rawQuery('SELECT 1'));
    },
    async close() {
      await exclusive(() => lite.close());
    },
  };
}
