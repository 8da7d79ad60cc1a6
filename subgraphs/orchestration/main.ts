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
  return { server: createOrchestrationSubgraph({ ...common, db }), close: () => db.close() };
});
