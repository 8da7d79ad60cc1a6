import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { InfoStore } from './store/info-store.js';

/** What the orchestration subgraph's resolvers get per request. */
export interface OrchestrationContext extends SubgraphBaseContext {
  info: InfoStore;
}
