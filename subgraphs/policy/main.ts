import { createKv } from '../../lib/kv/index.js';
import { createRateLimiter } from '../../lib/rate-limit/index.js';
import { createStreamLeases } from '../../lib/rate-limit/stream-leases.js';
import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadPolicyConfig } from './config.js';
import { POLICY_SCHEMA, createPolicySubgraph, preparePolicyStore } from './server.js';

const config = loadPolicyConfig();

await runSubgraphMain(config, async (common) => {
  const db = await openSubgraphDb(config, POLICY_SCHEMA);
  await preparePolicyStore(db);
  const kv = await createKv({ url: config.redisUrl });
  const rateLimiter = await createRateLimiter({ redisUrl: config.redisUrl });
  // Without Redis, a policy process of its own sees no other process's streams (none counted).
  const streamLeases = await createStreamLeases({ redisUrl: config.redisUrl });
  return {
    server: createPolicySubgraph({
      ...common,
      db,
      kv,
      rateLimiter,
      streamLeases,
      orgId: config.orgId,
      supergraphPath: config.supergraphPath,
      usageRetentionDays: config.usageRetentionDays,
    }),
    close: async () => {
      await Promise.all([db.close(), kv.close(), rateLimiter.close(), streamLeases.close()]);
    },
  };
});
