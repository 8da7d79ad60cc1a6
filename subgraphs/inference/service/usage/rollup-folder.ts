import type { Logger } from '../../../../lib/logging.js';
import type { createUsageRows } from '../../store/usage-rows.js';

export interface RollupFolderOptions {
  rows: Pick<ReturnType<typeof createUsageRows>, 'fold' | 'pruneRecords'>;
  logger: Logger;
  /** Raw records older than this many days are deleted, at most hourly, after a fold. */
  retentionDays: number;
  now?: () => number;
  /** How long queued records wait, after a write, before a fold adds them. @default 200 */
  delayMs?: number;
  /** Records one fold statement adds at most. @default 5000 */
  mostPerFold?: number;
}

const HOUR_MS = 3_600_000;
/** The longest wait before a fold that failed is tried again. */
const MOST_RETRY_MS = 30_000;

/**
 * Adds queued usage records to the rollups off the paid call's path (decision 105): a fold runs
 * `delayMs` after a write, so at load one statement carries every record of that time, whichever
 * replica wrote it. Folds of this replica run one at a time; those of replicas skip each other's
 * records. A failed fold leaves its records queued and is tried again, the wait doubling from
 * `delayMs` to 30 s while folds fail. Retention is here too, as only records already in the
 * rollups may go.
 */

export function createRollupFolder(options: RollupFolderOptions) {
  const { rows, logger } = options;
  const delayMs = options.delayMs ?? 200;
  const most = options.mostPerFold ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let prunedAt = Number.NEGATIVE_INFINITY;
  let failures = 0;

  /** Folds until the queue has nothing this fold can take. */
  const foldAll = async (wait: boolean) => {
    let folded = most;
    let total = 0;
    while (folded === most) {
      folded = await rows.fold(most, wait);
      total += folded;
    }
    if (total > 0) pruneHourly();
  };

  // No timer of its own (as policy's usage retention): every replica prunes at most hourly.
  const pruneHourly = () => {
    const now = (options.now ?? Date.now)();
    if (now - prunedAt < HOUR_MS) return;
    prunedAt = now;
    const before = new Date(now - options.retentionDays * 24 * HOUR_MS);
    rows
      .pruneRecords(before)
      .then((deleted) => deleted > 0 && logger.info({ deleted }, 'old usage records deleted'))
      .catch((error: unknown) => logger.warn({ err: error }, 'usage record retention failed'));
  };

  /** Runs after the folds already asked for; rejects with this fold's failure. */
  const enqueue = (wait: boolean): Promise<void> => {
    const run = running.then(() => foldAll(wait));
    running = run.catch(() => undefined);
    return run;
  };

  const soon = () => {
    if (timer || stopped) return;
    const wait = Math.min(MOST_RETRY_MS, delayMs * 2 ** failures);
    timer = setTimeout(() => {
      timer = undefined;
      enqueue(false).then(
        () => (failures = 0),
        (error: unknown) => {
          failures += 1;
          logger.error({ err: error, failures }, 'usage rollups not folded; tried again shortly');
          soon();
        },
      );
    }, wait);
    timer.unref();
  };

  return {
    /** Records were queued: fold them after the delay (one fold for every call until then). */
    soon,

    /**
     * Resolves once every record committed before the call is in the rollups, this replica's and
     * others' (a fold running elsewhere is waited for): what a report reads first.
     */
    catchUp: (): Promise<void> => enqueue(true),

    /** Folds what is queued, then stops folding after writes. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await enqueue(false).catch((error: unknown) =>
        logger.error({ err: error }, 'usage rollups not folded at stop; the next fold adds them'),
      );
    },
  };
}

export type RollupFolder = ReturnType<typeof createRollupFolder>;
