import { z } from 'zod';
import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

const PolicyEnv = subgraphEnv(4004).extend({
  MODELGRAPH_ORG_ID: z.string().default('default'),
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
});

export function loadPolicyConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(PolicyEnv, env);
  return {
    ...subgraphSettings('policy', e),
    orgId: e.MODELGRAPH_ORG_ID,
    supergraphPath: e.SUPERGRAPH_PATH,
  };
}
