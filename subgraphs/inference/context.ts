import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { ModelHealth } from './model-health.js';
import type { DecisionLoader } from './platform/policy-client.js';
import type { EmbedOperation } from './saga/embed-operation.js';
import type { SagaDeps } from './saga/saga-types.js';

/** What the inference subgraph's resolvers get per request. */
export interface InferenceContext extends SubgraphBaseContext {
  health: ModelHealth;
  saga: SagaDeps;
  /** Policy decisions of this operation, batched into one call. */
  decisions: DecisionLoader;
  /** The `embed` fields of this operation, planned together. */
  embeds: EmbedOperation;
}
