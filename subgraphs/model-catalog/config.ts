import { z } from 'zod';
import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

const CatalogEnv = subgraphEnv(4001).extend({
  /** Applied once, on the catalog's first start. */
  MODELS_SEED_FILE: z.string().default('deploy/models.yaml'),
});

export function loadCatalogConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(CatalogEnv, env);
  return { ...subgraphSettings('model-catalog', e), seedFile: e.MODELS_SEED_FILE };
}
