import { PGlite, types, type PGliteOptions } from '@electric-sql/pglite';
import { createFreshPglite } from './pglite-template.js';
import { tracedDb } from './traced-db.js';
import { assertSchemaName, type Db, type Queryable } from './types.js';

export interface PgliteOptions {
  /** Directory to keep data in; in memory when unset. */
  dataDir?: string;
}

/** One embedded database that several subgraphs share, each through its own schema. */
export interface PgliteDatabase {
  /** A handle on `schema` (created if missing). The database closes when every handle has. */
  open(schema: string): Promise<Db>;
}

const asText = (value: string) => value;
const PGLITE_OPTIONS: PGliteOptions = {
  parsers: { [types.INT8]: asText, [types.NUMERIC]: asText },
};

/**
 * Embedded Postgres (PGlite, WASM) for a newcomer's machine. One instance serves every schema
 * opened on it (starting an instance is the slow part of a start, so `npm start` and the test
 * stack make one, not one per subgraph). It has one connection, so every query and transaction
 * goes through one queue, and each handle sets the connection's search_path to its schema before
 * its turn when another schema had it last; int8 and numeric come back as strings, as with `pg`.
 */
export async function createPgliteDatabase({
  dataDir,
}: PgliteOptions = {}): Promise<PgliteDatabase> {
  const lite = dataDir
    ? await PGlite.create(dataDir, PGLITE_OPTIONS)
    : await createFreshPglite(PGLITE_OPTIONS);
  let queue: Promise<unknown> = Promise.resolve();
  let searchPath: string | undefined;
  let open = 0;
  let closed = false;

  const rawQuery: Queryable['query'] = async (sql, params) => {
    const result = await lite.query<never>(sql, params as unknown[] | undefined);
    // PGlite reports affectedRows 0 for a SELECT; count what came back, as pg does.
    const rowCount = result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
    return { rows: result.rows, rowCount };
  };
  const rawExec = async (sql: string) => {
    await lite.exec(sql);
  };
  /** Runs `fn` alone on the connection, with `schema` first on its search_path. */
  const exclusive = <T>(schema: string, fn: () => Promise<T>): Promise<T> => {
    const turn = async () => {
      if (searchPath !== schema) {
        await lite.exec(`SET search_path TO ${schema}`);
        searchPath = schema;
      }
      return fn();
    };
    const run = queue.then(turn, turn);
    queue = run.catch(() => undefined);
    return run;
  };

  const handle = (schema: string): Db => {
    let handleClosed = false;
    // A closed handle fails as a closed connection would, though the others keep the database.
    const turn = <T>(fn: () => Promise<T>): Promise<T> =>
      handleClosed
        ? Promise.reject(new Error(`The database handle on ${schema} is closed.`))
        : exclusive(schema, fn);
    return {
      kind: 'pglite',
      schema,
      query: (sql, params) => turn(() => rawQuery(sql, params)),
      exec: (sql) => turn(() => rawExec(sql)),
      transaction: (fn) =>
        turn(async () => {
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
        await turn(() => rawQuery('SELECT 1'));
      },
      async close() {
        if (handleClosed) return;
        handleClosed = true;
        open -= 1;
        if (open > 0) return;
        closed = true;
        await exclusive(schema, () => lite.close());
      },
    };
  };

  return {
    async open(schema) {
      assertSchemaName(schema);
      if (closed) throw new Error('This embedded database is closed.');
      open += 1;
      await exclusive(schema, () => rawExec(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
      return tracedDb(handle(schema));
    },
  };
}

/** An embedded database of one schema (a subgraph in its own process). */
export async function createPgliteDb({
  schema,
  dataDir,
}: PgliteOptions & { schema: string }): Promise<Db> {
  return (await createPgliteDatabase({ dataDir })).open(schema);
}
