import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

const InferenceEnv = subgraphEnv(4002);

export function loadInferenceConfig(env: NodeJS.ProcessEnv = process.env) {
  return subgraphSettings('inference', parseConfig(InferenceEnv, env));
}
