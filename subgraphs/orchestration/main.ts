import { ISSUERS, createInternalTokenSigner } from '../../lib/auth/internal-token.js';
import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadOrchestrationConfig } from './config.js';
import {
  ORCHESTRATION_SCHEMA,
  createOrchestrationSubgraph,
  prepareOrchestrationStore,
} from './server.js';

const config = loadOrchestrationConfig();

await runSubgraphMain(config, async (common) => {
  const db = await openSubgraphDb(config, ORCHESTRATION_SCHEMA);
  await prepareOrchestrationStore(db);
  const signer = await createInternalTokenSigner({
    privateKeyPem: config.internalPrivateKeyPem,
    issuer: ISSUERS.orchestration,
  });
  const server = createOrchestrationSubgraph({
    ...common,
    db,
    signer,
    services: config.services,
    vectorSnapshotDir: config.vectorSnapshotDir,
  });
  return { server, close: () => db.close() };
});
