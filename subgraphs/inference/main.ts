import { createInternalTokenVerifier } from '../../lib/auth/internal-token.js';
import { createKv } from '../../lib/kv/index.js';
import { createLogger } from '../../lib/logging.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { runService } from '../../lib/subgraph/run-service.js';
import { loadInferenceConfig } from './config.js';
import { createInferenceSubgraph } from './server.js';

const config = loadInferenceConfig();
const logger = createLogger({ service: config.name, level: config.logLevel });

await runService(logger, async () => {
  const kv = await createKv({ url: config.redisUrl });
  const server = createInferenceSubgraph({
    kv,
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
    await kv.close();
  };
});
