import { createKv } from '../../lib/kv/index.js';
import { runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadInferenceConfig } from './config.js';
import { createInferenceSubgraph } from './server.js';

const config = loadInferenceConfig();

await runSubgraphMain(config, async (common) => {
  const kv = await createKv({ url: config.redisUrl });
  return { server: createInferenceSubgraph({ ...common, kv }), close: () => kv.close() };
});
