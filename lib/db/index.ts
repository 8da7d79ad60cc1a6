import type { Db } from './types.js';

export type { Db, Queryable } from './types.js';
export { runMigrations, type Migration } from './migrations.js';

export interface DbOptions {
  /** A PostgreSQL URL; embedded PGlite when unset. */
  url?: string;
  /** The subgraph's own schema. */
  schema: string;
  /** PGlite data directory; in memory when unset. Ignored with `url`. */
  dataDir?: string;
  poolSize?: number;
}

// Each engine is imported when used: the one a process does not use costs nothing at its start.
export async function createDb(options: DbOptions): Promise<Db> {
  if (options.url) {
    const { createPostgresDb } = await import('./postgres.js');
    return createPostgresDb({
      url: options.url,
      schema: options.schema,
      poolSize: options.poolSize,
    });
  }
  const { createPgliteDb } = await import('./pglite.js');
  return createPgliteDb({ schema: options.schema, dataDir: options.dataDir });
}

/**
 * One handle per schema on one database, in `schemas`' order: a pool each on `url`, or one
 * in-memory PGlite that every schema shares (one engine start instead of one per schema).
 */
export async function createDbs(
  options: { url?: string; poolSize?: number },
  schemas: readonly string[],
): Promise<Db[]> {
  if (options.url) return Promise.all(schemas.map((schema) => createDb({ ...options, schema })));
  const { createPgliteDatabase } = await import('./pglite.js');
  const database = await createPgliteDatabase();
  return Promise.all(schemas.map((schema) => database.open(schema)));
}
