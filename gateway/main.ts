import { createInternalTokenSigner } from '../lib/auth/internal-token.js';
import { loadTracingConfig } from '../lib/config.js';
import { createKv } from '../lib/kv/index.js';
import { createLogger } from '../lib/logging.js';
import { runService } from '../lib/subgraph/run-service.js';
import { startTracing } from '../lib/tracing/start-tracing.js';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './server.js';

const config = loadGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.logLevel });

await runService(logger, { drainTimeoutMs: config.drain.timeoutMs }, async () => {
  const stopTracing = await startTracing(loadTracingConfig('gateway'), logger);
  const kv = await createKv({ url: config.redisUrl });
  const gateway = createGateway({
    config,
    kv,
    signer: await createInternalTokenSigner({
      privateKeyPem: config.internalPrivateKeyPem,
      issuer: 'gateway',
    }),
    logger,
    processMetrics: true,
  });
  await gateway.start();
  logger.info({ port: await gateway.listen(config.port, config.host) }, 'listening');
  return async () => {
    await gateway.stop(config.drain);
    await kv.close();
    await stopTracing();
  };
});
