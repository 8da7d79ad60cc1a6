import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { ModelHealth } from './model-health.js';

/** What the inference subgraph's resolvers get per request. */
export interface InferenceContext extends SubgraphBaseContext {
  health: ModelHealth;
}
