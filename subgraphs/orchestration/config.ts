import { z } from 'zod';
import { parseConfig, requiredPem } from '../../lib/config.js';
import { vectorSnapshotDir, vectorSnapshotEnv } from '../../lib/vectors/snapshot-files.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

/** Where the orchestration subgraph listens when run alone. */
export const ORCHESTRATION_PORT = 4006;

/** The variables every subgraph reads, and those orchestration needs to call policy, the wallet and inference. */
const OrchestrationEnv = subgraphEnv(ORCHESTRATION_PORT).extend({
  MODELGRAPH_INTERNAL_PRIVATE_KEY: requiredPem(
    'PRIVATE KEY',
    "the PKCS#8 PEM orchestration signs its calls with: its own (audit log, flow runs' holds) and those it makes for a caller (model calls of flows and collections)",
  ),
  POLICY_URL: z.url().default('http://127.0.0.1:4004/graphql'),
  WALLET_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  INFERENCE_URL: z.url().default('http://127.0.0.1:4002/graphql'),
  MODEL_CATALOG_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  ...vectorSnapshotEnv,
});

export function loadOrchestrationConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(OrchestrationEnv, env);
  return {
    ...subgraphSettings('orchestration', parsed),
    internalPrivateKeyPem: parsed.MODELGRAPH_INTERNAL_PRIVATE_KEY,
    vectorSnapshotDir: vectorSnapshotDir(parsed.VECTOR_SNAPSHOT_DIR),
    services: {
      policy: parsed.POLICY_URL,
      wallet: parsed.WALLET_URL,
      inference: parsed.INFERENCE_URL,
      catalog: parsed.MODEL_CATALOG_URL,
    },
  };
}
