import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { runMigrations, type Db } from '../../lib/db/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { StandaloneSubgraph } from '../../lib/subgraph/standalone-subgraph.js';
import { ORCHESTRATION_PORT } from './config.js';
import type { OrchestrationContext } from './context.js';
import { orchestrationPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { createInfoStore } from './store/info-store.js';
import { orchestrationMigrations } from './store/migrations.js';

export const ORCHESTRATION_SCHEMA = 'orchestration';
export const orchestrationTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface OrchestrationDeps extends SubgraphBaseDeps {
  /** The subgraph's own database (schema `orchestration`). */
  db: Db;
}

export async function prepareOrchestrationStore(db: Db): Promise<void> {
  await runMigrations(db, orchestrationMigrations);
}

/** The orchestration subgraph. */
export function createOrchestrationSubgraph(deps: OrchestrationDeps) {
  const info = createInfoStore(deps.db);
  return createSubgraphServer<OrchestrationContext>({
    name: 'orchestration',
    typeDefs: orchestrationTypeDefs,
    resolvers,
    permissions: orchestrationPermissions,
    buildContext: (base) => ({ ...base, info }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('orchestration'),
    production: deps.production,
    checkReady: () => deps.db.ping(),
  });
}

/** How `npm start` and the test stack run it (listed in subgraphs/standalone-subgraphs.ts). */
export const orchestrationSubgraph: StandaloneSubgraph = {
  name: 'orchestration',
  defaultPort: ORCHESTRATION_PORT,
  dbSchema: ORCHESTRATION_SCHEMA,
  prepareStore: prepareOrchestrationStore,
  create: createOrchestrationSubgraph,
};
