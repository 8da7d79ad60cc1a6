import type { Logger } from '../../../lib/logging.js';
import type { Ledger } from './ledger/ledger.js';
import type { SweepMetrics } from './wallet-metrics.js';

/**
 * Releases expired holds every `intervalMs`. Safe on every replica at once: each release takes
 * its hold with SKIP LOCKED and deletes it from open_holds, so each is released exactly once.
 */
export function createHoldSweeper(
  ledger: Ledger,
  logger: Logger,
  intervalMs: number,
  metrics?: SweepMetrics,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = ledger
      .sweepExpired()
      .then((released) => {
        metrics?.swept(released);
        if (released > 0) logger.info({ released }, 'expired holds released');
      })
      .catch((error: unknown) => {
        metrics?.failed();
        logger.error({ err: error }, 'hold sweep failed');
      });
  };
  return {
    start() {
      if (intervalMs > 0 && !timer) timer = setInterval(tick, intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
