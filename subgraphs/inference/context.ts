import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { ModelHealth } from './service/model-health.js';
import type { InferenceLoaders } from './loaders.js';
import type { SagaDeps } from './service/saga/saga-types.js';

/** What the inference subgraph's resolvers get per request. */
export interface InferenceContext extends SubgraphBaseContext, InferenceLoaders {
  health: ModelHealth;
  saga: SagaDeps;
}
