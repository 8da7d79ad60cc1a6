import pg from 'pg';
import { createStatementNamer, stalePlan } from './prepared-statements.js';
import { tracedDb } from './traced-db.js';
import { assertSchemaName, type Db, type Queryable } from './types.js';

export interface PostgresOptions {
  url: string;
  schema: string;
  /** @default 10 */
  poolSize?: number;
}

/** A pooled connection to a real PostgreSQL whose every session works in `schema`. */
export async function createPostgresDb({
  url,
  schema,
  poolSize = 10,
}: PostgresOptions): Promise<Db> {
  assertSchemaName(schema);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: `-c search_path=${schema}`,
  });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((error: unknown) => {
    // Two replicas creating the schema at once race on the catalog; the loser finds it there.
    if ((error as { code?: string }).code !== '23505') throw error;
  });

  const statement = createStatementNamer();
  const query: Queryable['query'] = async (sql, params) => {
    const result = await pool.query(statement(sql, params)).catch((error: unknown) => {
      if (!stalePlan(error)) throw error;
      statement.unprepare(sql);
      return pool.query(statement(sql, params));
    });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };

  return tracedDb({
    kind: 'postgres',
    schema,
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      // pg-pool stops listening for a client's errors while it is checked out; a connection that
      // breaks now (a database restart) would emit 'error' with no listener and kill the process.
      let broken: Error | undefined;
      const onError = (error: Error) => (broken ??= error);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async (sql, params) => {
            const r = await client.query(statement(sql, params));
            return { rows: r.rows, rowCount: r.rowCount ?? 0 };
          },
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
        throw error;
      } finally {
        client.off('error', onError);
        // Released with its error, a broken client is destroyed instead of serving the next caller.
        client.release(broken);
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  });
}
