/** What a store needs from a database: parameterized SQL, and transactions. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** `postgres` for a real server (`DATABASE_URL`), `pglite` for the embedded default. */
  readonly kind: 'postgres' | 'pglite';
  /** The Postgres schema this handle reads and writes (one per subgraph). */
  readonly schema: string;
  /** Runs `fn` in one READ COMMITTED transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name "${schema}".`);
}
