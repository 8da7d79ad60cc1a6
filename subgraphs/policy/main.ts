import { createInternalTokenVerifier } from '../../lib/auth/internal-token.js';
import { createDb } from '../../lib/db/index.js';
import { createKv } from '../../lib/kv/index.js';
import { createLogger } from '../../lib/logging.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { runService } from '../../lib/subgraph/run-service.js';
import { loadPolicyConfig } from './config.js';
import { POLICY_SCHEMA, createPolicySubgraph, preparePolicyStore } from './server.js';

const config = loadPolicyConfig();
const logger = createLogger({ service: config.name, level: config.logLevel });

await runService(logger, async () => {
  const db = await createDb({
    url: config.databaseUrl,
    schema: POLICY_SCHEMA,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
  });
  await preparePolicyStore(db);
  const kv = await createKv({ url: config.redisUrl });
  const server = createPolicySubgraph({
    db,
    kv,
    verifier: await createInternalTokenVerifier({
      publicKeyPem: config.internalPublicKeyPem,
      issuers: ['gateway'],
    }),
    logger,
    metrics: createServiceMetrics(config.name, { defaultMetrics: true }),
    production: config.production,
    orgId: config.orgId,
  });
  await server.start();
  logger.info({ port: await server.listen(config.port, config.host) }, 'listening');
  return async () => {
    await server.stop();
    await Promise.all([db.close(), kv.close()]);
  };
});
