import { createPlatformVerifier } from '../auth/internal-token.js';
import { loadTracingConfig } from '../config.js';
import { createDb, type Db } from '../db/index.js';
import { createLogger } from '../logging.js';
import { createServiceMetrics } from '../metrics.js';
import { startTracing } from '../tracing/start-tracing.js';
import { runService } from './run-service.js';
import type { SubgraphSettings } from './subgraph-config.js';
import type { SubgraphBaseDeps, SubgraphServer } from './subgraph-server.js';

/** The deps `runSubgraphMain` builds for a subgraph factory. */
export type SubgraphCommonDeps = Required<SubgraphBaseDeps>;

/** The subgraph's database: its own schema on DATABASE_URL, or its own embedded PGlite. */
export function openSubgraphDb(settings: SubgraphSettings, schema: string): Promise<Db> {
  return createDb({
    url: settings.databaseUrl,
    schema,
    dataDir: settings.dataDir,
    poolSize: settings.poolSize,
  });
}

/**
 * A subgraph's `main`: builds its stores and server with `build`, listens, and on SIGTERM drains
 * the server (settings.drain) before `close` releases the stores.
 */
export async function runSubgraphMain(
  settings: SubgraphSettings,
  build: (
    common: SubgraphCommonDeps,
  ) => Promise<{ server: SubgraphServer; close: () => Promise<void> }>,
): Promise<void> {
  const logger = createLogger({ service: settings.name, level: settings.logLevel });
  await runService(logger, { drainTimeoutMs: settings.drain.timeoutMs }, async () => {
    const stopTracing = await startTracing(loadTracingConfig(settings.name), logger);
    const { server, close } = await build({
      verifier: await createPlatformVerifier(settings.internalPublicKeyPem),
      logger,
      metrics: createServiceMetrics(settings.name, { defaultMetrics: true }),
      production: settings.production,
    });
    await server.start();
    logger.info({ port: await server.listen(settings.port, settings.host) }, 'listening');
    return async () => {
      await server.stop(settings.drain);
      await close();
      await stopTracing();
    };
  });
}
