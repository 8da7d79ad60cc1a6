import { createInternalTokenVerifier } from '../../lib/auth/internal-token.js';
import { createDb } from '../../lib/db/index.js';
import { createLogger } from '../../lib/logging.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { runService } from '../../lib/subgraph/run-service.js';
import { loadWalletConfig } from './config.js';
import { WALLET_SCHEMA, createWalletSubgraph, prepareWalletStore } from './server.js';

const config = loadWalletConfig();
const logger = createLogger({ service: config.name, level: config.logLevel });

await runService(logger, async () => {
  const db = await createDb({
    url: config.databaseUrl,
    schema: WALLET_SCHEMA,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
  });
  await prepareWalletStore(db);
  const server = createWalletSubgraph({
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
