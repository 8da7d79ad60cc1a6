import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { OrchestrationLoaders } from './loaders.js';
import type { Collections } from './service/collections/collections.js';
import type { Prompts } from './service/prompts.js';
import type { InfoStore } from './store/info-store.js';

/** What the orchestration subgraph's resolvers get per request. */
export interface OrchestrationContext extends SubgraphBaseContext {
  info: InfoStore;
  prompts: Prompts;
  collections: Collections;
  loaders: OrchestrationLoaders;
}
