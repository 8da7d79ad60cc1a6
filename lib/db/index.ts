import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';
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

export function createDb(options: DbOptions): Promise<Db> {
  return options.url
    ? createPostgresDb({ url: options.url, schema: options.schema, poolSize: options.poolSize })
    : createPgliteDb({ schema: options.schema, dataDir: options.dataDir });
}
