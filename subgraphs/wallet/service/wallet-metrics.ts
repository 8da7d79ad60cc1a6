import { GraphQLError } from 'graphql';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Queryable } from '../../../lib/db/index.js';
import { SUBGRAPH_FETCH_BUCKETS } from '../../../lib/metrics.js';
import type { Ledger } from './ledger/ledger.js';

/** The ledger's operations that write (its reads are plain queries, counted by GraphQL's own). */
const WRITES = [
  'grant',
  'authorizeHold',
  'captureHold',
  'spendFromHold',
  'voidHold',
  'sweepExpired',
  'refund',
  'setBudget',
  'debit',
  'setSuspended',
  'setLowBalanceThreshold',
] as const;

type Write = (typeof WRITES)[number];

const outcomeOf = (error: unknown) =>
  // A refusal's code (INSUFFICIENT_FUNDS, ...) is a fixed set; anything else is an error.
  error instanceof GraphQLError && typeof error.extensions.code === 'string'
    ? error.extensions.code
    : 'error';

/**
 * The ledger with every write counted and timed (`modelgraph_wallet_ledger_operations_total`,
 * by operation and outcome: `ok`, a refusal's code, or `error`).
 */
export function instrumentLedger(ledger: Ledger, registry: Registry): Ledger {
  const count = new Counter({
    name: 'modelgraph_wallet_ledger_operations_total',
    help: 'Ledger writes, by operation and outcome (ok, the code of a refusal, or error).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'modelgraph_wallet_ledger_operation_duration_seconds',
    help: 'Duration of ledger writes, by operation.',
    labelNames: ['operation'],
    buckets: SUBGRAPH_FETCH_BUCKETS,
    registers: [registry],
  });
  const timed =
    <A extends unknown[], R>(operation: Write, write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const end = duration.startTimer({ operation });
      try {
        const result = await write(...args);
        count.inc({ operation, outcome: 'ok' });
        return result;
      } catch (error) {
        count.inc({ operation, outcome: outcomeOf(error) });
        throw error;
      } finally {
        end();
      }
    };
  const instrumented = { ...ledger };
  for (const operation of WRITES) {
    (instrumented as Record<Write, unknown>)[operation] = timed(
      operation,
      ledger[operation] as (...args: unknown[]) => Promise<unknown>,
    );
  }
  return instrumented;
}

/**
 * Open holds as the database has them at each scrape (every replica reports the same figures:
 * aggregate with max): how many, what they hold, and how long the oldest one past its expiry
 * has waited for the sweeper (0 when none has), by the ledger's clock (`ledger_now()`), the one
 * the sweeper releases by.
 */
export function createHoldGauges(db: Queryable, registry: Registry) {
  // open_holds has only the holds still open (an index on expiry): a query per gauge is cheap.
  const read = () =>
    db
      .query<{ open: number; held: string; lag: number }>(
        `SELECT count(*)::int AS open, coalesce(sum(t.amount - o.spent), 0)::text AS held,
           coalesce(extract(epoch FROM ledger_now() - min(o.expires_at)
             FILTER (WHERE o.expires_at < ledger_now())), 0)::float8 AS lag
         FROM open_holds o JOIN transfers t ON t.id = o.hold_id`,
      )
      .then(({ rows: [row] }) => row && { ...row, held: Number(row.held) })
      // An unreachable database leaves the last figures; /readyz reports the outage.
      .catch(() => undefined);
  const gauge = (name: string, help: string, pick: 'open' | 'held' | 'lag') =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const row = await read();
        if (row) this.set(row[pick]);
      },
    });
  gauge('modelgraph_wallet_holds_open', 'Holds not yet captured, voided or expired.', 'open');
  gauge(
    'modelgraph_wallet_holds_open_microcredits',
    'Micro-credits the open holds still hold.',
    'held',
  );
  gauge(
    'modelgraph_wallet_hold_sweep_lag_seconds',
    'How long the oldest hold past its expiry has waited for the sweeper (0: none waits).',
    'lag',
  );
}

/** The sweeper's runs: when one last succeeded, and how many holds runs released. */
export function createSweepMetrics(registry: Registry) {
  const lastSuccess = new Gauge({
    name: 'modelgraph_wallet_hold_sweep_last_success_timestamp_seconds',
    help: "When this replica's hold sweeper last ran without an error (Unix seconds).",
    registers: [registry],
  });
  const runs = new Counter({
    name: 'modelgraph_wallet_hold_sweeps_total',
    help: "Runs of this replica's hold sweeper, by outcome (ok or error).",
    labelNames: ['outcome'],
    registers: [registry],
  });
  const released = new Counter({
    name: 'modelgraph_wallet_holds_expired_total',
    help: 'Holds the sweeper released because they expired.',
    registers: [registry],
  });
  return {
    swept(count: number) {
      runs.inc({ outcome: 'ok' });
      released.inc(count);
      lastSuccess.setToCurrentTime();
    },
    failed() {
      runs.inc({ outcome: 'error' });
    },
  };
}

export type SweepMetrics = ReturnType<typeof createSweepMetrics>;
