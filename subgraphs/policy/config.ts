import { z } from 'zod';
import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

const PolicyEnv = subgraphEnv(4004).extend({
  MODELGRAPH_ORG_ID: z.string().default('default'),
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});

export function loadPolicyConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(PolicyEnv, env);
  return {
    ...subgraphSettings('policy', e),
    orgId: e.MODELGRAPH_ORG_ID,
    supergraphPath: e.SUPERGRAPH_PATH,
    usageRetentionDays: e.USAGE_RETENTION_DAYS,
  };
}
