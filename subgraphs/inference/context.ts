import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { PromptClient } from './clients/prompt-client.js';
import type { ModelHealth } from './service/model-health.js';
import type { InferenceLoaders } from './loaders.js';
import type { SagaDeps } from './service/saga/saga-types.js';
import type { StreamRun } from './service/saga/stream-generation.js';
import type { UsageRollups } from './store/usage-rollups.js';

/** What the inference subgraph's resolvers get per request. */
export interface InferenceContext extends SubgraphBaseContext, InferenceLoaders {
  health: ModelHealth;
  saga: SagaDeps;
  /** The replica's live streams, the team stream leases and the stream metrics. */
  streams: Pick<StreamRun, 'live' | 'slots' | 'metrics'>;
  /** The usage rollups `usage` reports from. */
  usage: UsageRollups;
  /** Orchestration's rendering of the prompts calls name. */
  prompts: PromptClient;
}
