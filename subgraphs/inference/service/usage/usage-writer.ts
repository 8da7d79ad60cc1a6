import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../../../../lib/db/index.js';
import type { Logger } from '../../../../lib/logging.js';
import { createGroupCommit } from '../../../../lib/group-commit.js';
import { createUsageRows, type UsageRecord } from '../../store/usage-rows.js';

/** Most records one statement carries (it bounds one statement's work and locks). */
const MOST_PER_BATCH = 500;
/** Statements in flight at once; records that arrive meanwhile wait and go together. */
const IN_FLIGHT = 2;

export interface UsageWriterOptions {
  /** The inference service's own database (schema `inference`). */
  db: Db;
  logger: Logger;
  registry: Registry;
  /**
   * Records kept in memory for a retry while the database fails; past it the oldest are dropped
   * (counted).
   * @default 100000
   */
  maxPending?: number;
  /** @default 1000 (doubling to 30 s) */
  firstRetryMs?: number;
  /** Told after every committed write: its records wait for the rollups (rollup-folder.ts). */
  onWritten?: () => void;
}

/**
 * Writes usage records in group commits (lib/group-commit.ts, as inference's spends go): a record
 * goes at once when a transaction slot is free, and those that arrive while both are busy go
 * together in the next. `write` resolves when the record is committed, or when its first write
 * failed: a failed record never fails the call; it stays in memory and is written again (doubling
 * delays) until the database takes it. The record's call id makes a repeated write a no-op,
 * rollups included: a record joins the rollups once, when the rollup folder takes it off the queue
 * its write put it on (decision 105).
 */
// Long only as a factory: it wires or returns short methods, each read on its own.
export function createUsageWriter(options: UsageWriterOptions) {
  const { db, logger } = options;
  const maxPending = options.maxPending ?? 100_000;
  const firstRetryMs = options.firstRetryMs ?? 1000;
  const rows = createUsageRows(db);
  let waiting = 0;
  const metrics = createUsageWriterMetrics(options.registry, () => waiting + retrying.length);
  let retrying: UsageRecord[] = [];
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  /** Told when the retry timer has resent what was waiting (drained() waits on it). */
  const retried: Array<() => void> = [];

  const commit = createGroupCommit<UsageRecord, true>(
    async (records) => {
      try {
        metrics.written.inc(await rows.insert(records));
        options.onWritten?.();
        failures = 0;
      } catch (error) {
        failures += 1;
        metrics.failures.inc();
        logger.error(
          { err: error, records: records.length, failures },
          'usage records not written; kept in memory and retried',
        );
        keepForRetry(records);
      }
      return records.map(() => true as const);
    },
    { inFlight: IN_FLIGHT, mostPerBatch: MOST_PER_BATCH },
  );

  const submit = (record: UsageRecord) => {
    waiting += 1;
    return commit.submit(record).finally(() => (waiting -= 1));
  };

  /** Sends every record waiting for a retry again. */
  const resend = () => Promise.all(retrying.splice(0).map(submit));

  const keepForRetry = (records: UsageRecord[]) => {
    retrying.push(...records);
    const over = retrying.length - maxPending;
    if (over > 0) {
      retrying = retrying.slice(over);
      metrics.dropped.inc(over);
      logger.error({ dropped: over }, 'usage records dropped: too many waiting for the database');
    }
    if (retryTimer || stopping) return;
    const delay = Math.min(30_000, firstRetryMs * 2 ** Math.max(0, failures - 1));
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void resend();
      wakeDrainers();
    }, delay);
    retryTimer.unref();
  };

  const wakeDrainers = () => {
    for (const done of retried.splice(0)) done();
  };

  return {
    /** Writes one record; resolves once it is durable or its first write failed (never rejects). */
    async write(record: UsageRecord): Promise<void> {
      await submit(record);
    },

    /** Resolves when every record given so far is written (retries included). */
    async drained(): Promise<void> {
      await commit.idle();
      while (retrying.length > 0 && !stopping) {
        await new Promise<void>((resolve) => retried.push(resolve));
        await commit.idle();
      }
    },

    /**
     * Writes what is waiting (records waiting for a retry get one last try), then stops; what the
     * database still refuses is logged and counted as lost.
     */
    async stop() {
      stopping = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      await resend();
      await commit.idle();
      if (retrying.length > 0) {
        logger.error({ lost: retrying.length }, 'usage records not written before stop');
        metrics.dropped.inc(retrying.length);
        retrying = [];
      }
      wakeDrainers();
    },
  };
}

export type UsageWriter = ReturnType<typeof createUsageWriter>;

function createUsageWriterMetrics(registry: Registry, pending: () => number) {
  new Gauge({
    name: 'inference_usage_records_pending',
    help: 'Usage records this replica holds in memory, waiting to be written or retried.',
    registers: [registry],
    collect() {
      this.set(pending());
    },
  });
  return {
    written: new Counter({
      name: 'inference_usage_records_written_total',
      help: 'Usage records written (a repeated write of one call counts once).',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'inference_usage_record_write_failures_total',
      help: 'Usage record transactions that failed (their records are retried from memory).',
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'inference_usage_records_dropped_total',
      help: 'Usage records lost: over the in-memory bound while the database failed, or at stop.',
      registers: [registry],
    }),
  };
}
