import type { TracingConfig } from '../config.js';
import type { Logger } from '../logging.js';
import { startTracing } from '../tracing/start-tracing.js';

/**
 * Runs a service until SIGTERM or SIGINT, then stops it gracefully (in-flight requests finish,
 * pools close, the last spans are exported). A failure to start is logged and exits with status 1.
 * `tracing` starts span export first (lib/tracing/start-tracing.ts) when it names an endpoint.
 */
export async function runService(
  logger: Logger,
  start: () => Promise<() => Promise<void>>,
  tracing?: TracingConfig,
): Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  try {
    const stopTracing = tracing ? await startTracing(tracing, logger) : async () => undefined;
    const stopService = await start();
    stop = async () => {
      await stopService();
      await stopTracing();
    };
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop?.().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
