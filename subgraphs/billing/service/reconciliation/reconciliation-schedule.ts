import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../../lib/logging.js';
import type { ReconciliationStore } from '../../store/reconciliation-store.js';
import type { Reconciliation } from './run-reconciliation.js';

const LEASE = 'scheduled-reconciliation';

/**
 * Runs reconciliation every `intervalMinutes` over the last `windowHours` (0 minutes: never, as
 * tests have it). Every replica ticks; the one that takes the lease in the database for the
 * interval runs, the others find it taken, so one run happens per interval whatever the count.
 */
export function createReconciliationSchedule(deps: {
  reconciliation: Reconciliation;
  runs: ReconciliationStore;
  intervalMinutes: number;
  windowHours: number;
  logger: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const holder = `replica:${randomUUID()}`;
  const intervalMs = deps.intervalMinutes * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** One tick: runs when this replica takes the lease; false when another holds it. */
  async function tick(): Promise<boolean> {
    // The lease outlives the tick by less than an interval, so the next tick (anywhere) may run.
    if (!(await deps.runs.tryLease(LEASE, holder, Math.max(intervalMs - 1_000, 1_000)))) {
      return false;
    }
    await deps.reconciliation.run({
      since: new Date(now().getTime() - deps.windowHours * 3600_000),
      startedBy: 'system:reconciliation',
      requestId: `reconciliation-${randomUUID()}`,
    });
    return true;
  }

  return {
    /** Whether the timer runs (an interval of 0 never starts it). */
    get started() {
      return timer !== undefined;
    },
    tick,
    start() {
      if (intervalMs <= 0 || timer) return;
      timer = setInterval(() => {
        if (running) return;
        running = tick()
          .then(() => undefined)
          .catch((error: unknown) => {
            deps.logger.error({ err: error }, 'scheduled reconciliation failed');
          })
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
