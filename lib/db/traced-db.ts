import { SpanKind, inRecordedSpan, inSpan } from '../tracing/spans.js';
import type { Db, Queryable } from './types.js';

/** Longer statements (migration scripts) are cut: a span is not an archive. */
const MAX_TEXT = 2_000;

/** The statement's first keyword (`SELECT`, `INSERT`, ...), the span's operation name. */
const operationOf = (sql: string) => /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';

/**
 * `db` with a client span per statement (OpenTelemetry database conventions): the statement's text
 * with its `$n` placeholders, never its parameters, which may be a prompt or a key's hash. Statements
 * of a transaction are children of its `TRANSACTION` span. Only inside a recorded span: a sweeper's
 * statements start no trace of their own.
 */
export function tracedDb(db: Db): Db {
  const system = db.kind === 'postgres' ? 'postgresql' : 'pglite';
  const traced = <T>(sql: string, run: () => Promise<T>): Promise<T> => {
    if (!inRecordedSpan()) return run();
    const operation = operationOf(sql);
    return inSpan(
      `${operation} ${db.schema}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': system,
          'db.namespace': db.schema,
          'db.operation.name': operation,
          'db.query.text': sql.length > MAX_TEXT ? `${sql.slice(0, MAX_TEXT)}…` : sql,
        },
      },
      run,
    );
  };
  const tracedQueryable = (inner: Queryable): Queryable => ({
    query: <R extends object>(sql: string, params?: readonly unknown[]) =>
      traced(sql, () => inner.query<R>(sql, params)),
    exec: (sql) => traced(sql, () => inner.exec(sql)),
  });
  const outer = tracedQueryable(db);
  return {
    kind: db.kind,
    schema: db.schema,
    ...outer,
    transaction: (fn) =>
      !inRecordedSpan()
        ? db.transaction((tx) => fn(tracedQueryable(tx)))
        : inSpan(
            `TRANSACTION ${db.schema}`,
            {
              kind: SpanKind.CLIENT,
              attributes: { 'db.system.name': system, 'db.namespace': db.schema },
            },
            () => db.transaction((tx) => fn(tracedQueryable(tx))),
          ),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
