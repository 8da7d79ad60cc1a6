import { readFileSync } from 'node:fs';
import { createInternalTokenVerifier } from '../../lib/auth/internal-token.js';
import { createDb } from '../../lib/db/index.js';
import { createLogger } from '../../lib/logging.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { runService } from '../../lib/subgraph/run-service.js';
import { loadCatalogConfig } from './config.js';
import { CATALOG_SCHEMA, createCatalogSubgraph, prepareCatalogStore } from './server.js';

const config = loadCatalogConfig();
const logger = createLogger({ service: config.name, level: config.logLevel });

await runService(logger, async () => {
  const db = await createDb({
    url: config.databaseUrl,
    schema: CATALOG_SCHEMA,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
  });
  if (await prepareCatalogStore(db, readFileSync(config.seedFile, 'utf8'))) {
    logger.info({ seedFile: config.seedFile }, 'catalog seeded');
  }
  const server = createCatalogSubgraph({
    db,
    verifier: await createInternalTokenVerifier({
      publicKeyPem: config.internalPublicKeyPem,
      issuers: ['gateway'],
    }),
    logger,
    metrics: createServiceMetrics(config.name, { defaultMetrics: true }),
    production: config.production,
  });
  await server.start();
  logger.info({ port: await server.listen(config.port, config.host) }, 'listening');
  return async () => {
    await server.stop();
    await db.close();
  };
});
