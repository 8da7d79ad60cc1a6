import type { Logger } from '../logging.js';

/** Time past the drain timeout for pools and stores to close before the exit is forced. */
export const CLOSE_MARGIN_MS = 5_000;

/**
 * Runs a service until SIGTERM or SIGINT, then stops it gracefully (it drains: see
 * lib/http/drain.ts) and exits 0. A failure to start is logged and exits with status 1, and so does
 * a stop that has not finished `drainTimeoutMs` + CLOSE_MARGIN_MS after the signal: an orchestrator
 * kills the process at its own grace period anyway, and a process that exits by itself says why.
 */
export async function runService(
  logger: Logger,
  options: { drainTimeoutMs: number },
  start: () => Promise<() => Promise<void>>,
): Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  try {
    stop = await start();
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainTimeoutMs: options.drainTimeoutMs }, 'shutting down');
    const started = Date.now();
    setTimeout(() => {
      logger.error({ ms: Date.now() - started }, 'drain timed out; exiting');
      process.exit(1);
    }, options.drainTimeoutMs + CLOSE_MARGIN_MS).unref();
    stop?.().then(
      () => {
        logger.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
