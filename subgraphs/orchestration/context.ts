import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { FlowLoaders } from './flow-loaders.js';
import type { OrchestrationLoaders } from './loaders.js';
import type { Collections } from './service/collections/collections.js';
import type { Flows } from './service/flows/flows.js';
import type { ProgressSignals } from './service/flows/run-progress.js';
import type { Prompts } from './service/prompts.js';
import type { InfoStore } from './store/info-store.js';
import type { RunStore } from './store/run-store.js';

/** What the orchestration subgraph's resolvers get per request. */
export interface OrchestrationContext extends SubgraphBaseContext {
  info: InfoStore;
  prompts: Prompts;
  collections: Collections;
  flows: Flows;
  /** Progress subscriptions read runs here and wake on `progress`. */
  runs: RunStore;
  progress: ProgressSignals;
  loaders: OrchestrationLoaders;
  flowLoaders: FlowLoaders;
}
