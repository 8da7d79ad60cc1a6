import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { Kv } from '../../lib/kv/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { InferenceContext } from './context.js';
import { createModelHealth } from './model-health.js';
import { inferencePermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';

export const inferenceTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface InferenceDeps extends SubgraphBaseDeps {
  kv: Kv;
  now?: () => number;
}

/** The inference subgraph: model calls (to come) and the live health they produce. */
export function createInferenceSubgraph(deps: InferenceDeps) {
  const health = createModelHealth(deps.kv, deps.now);
  return createSubgraphServer<InferenceContext>({
    name: 'inference',
    typeDefs: inferenceTypeDefs,
    resolvers,
    permissions: inferencePermissions,
    buildContext: (base) => ({ ...base, health }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('inference'),
    production: deps.production,
    checkReady: () => deps.kv.ping(),
  });
}
