import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

/** Where the orchestration subgraph listens when run alone. */
export const ORCHESTRATION_PORT = 4006;

/** The variables every subgraph reads; add the orchestration subgraph's own with `.extend({...})`. */
const OrchestrationEnv = subgraphEnv(ORCHESTRATION_PORT);

export function loadOrchestrationConfig(env: NodeJS.ProcessEnv = process.env) {
  return subgraphSettings('orchestration', parseConfig(OrchestrationEnv, env));
}
