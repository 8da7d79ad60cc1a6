import { ISSUERS, createInternalTokenSigner } from '../../lib/auth/internal-token.js';
import { createKv } from '../../lib/kv/index.js';
import { createRateLimiter } from '../../lib/rate-limit/index.js';
import { createStreamLeases } from '../../lib/rate-limit/stream-leases.js';
import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadInferenceConfig } from './config.js';
import { INFERENCE_SCHEMA, createInferenceSubgraph, prepareInferenceStore } from './server.js';

const config = loadInferenceConfig();

await runSubgraphMain(config, async (common) => {
  const db = await openSubgraphDb(config, INFERENCE_SCHEMA);
  await prepareInferenceStore(db);
  const kv = await createKv({ url: config.redisUrl });
  const rateLimiter = await createRateLimiter({
    redisUrl: config.redisUrl,
    failOpen: config.settings.rateLimitFailOpen,
  });
  const streamLeases = await createStreamLeases({ redisUrl: config.redisUrl });
  const signer = await createInternalTokenSigner({
    privateKeyPem: config.internalPrivateKeyPem,
    issuer: ISSUERS.inference,
  });
  const server = createInferenceSubgraph({
    ...common,
    db,
    kv,
    rateLimiter,
    streamLeases,
    signer,
    orgId: config.orgId,
    services: config.services,
    settings: config.settings,
  });
  return {
    server,
    close: async () => {
      await Promise.all([db.close(), kv.close(), rateLimiter.close(), streamLeases.close()]);
    },
  };
});
