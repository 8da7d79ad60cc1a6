import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { runMigrations, type Db } from '../../lib/db/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { CatalogContext } from './context.js';
import { createCatalogLoaders } from './loaders.js';
import { catalogPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { createCatalogInternalRoutes } from './internal-routes.js';
import { createCatalogService } from './service/catalog-service.js';
import { seedCatalog } from './service/seed.js';
import { catalogMigrations } from './store/migrations.js';
import { createModelStore } from './store/model-store.js';
import { createProviderStore } from './store/provider-store.js';

export const CATALOG_SCHEMA = 'catalog';
export const catalogTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface CatalogDeps extends SubgraphBaseDeps {
  db: Db;
  now?: () => Date;
}

/** Migrates the catalog's schema and applies the seed file on the first start. */
export async function prepareCatalogStore(db: Db, seedYaml?: string, now = new Date()) {
  await runMigrations(db, catalogMigrations);
  return seedYaml ? seedCatalog(db, seedYaml, now) : false;
}

/** The model-catalog subgraph: models, providers, routes and their prices. Does not listen. */
export function createCatalogSubgraph(deps: CatalogDeps) {
  const now = deps.now ?? (() => new Date());
  const stores = { models: createModelStore(deps.db), providers: createProviderStore(deps.db) };
  const service = createCatalogService(deps.db, now);
  return createSubgraphServer<CatalogContext>({
    name: 'model-catalog',
    typeDefs: catalogTypeDefs,
    resolvers,
    permissions: catalogPermissions,
    buildContext: (base) => ({
      ...base,
      loaders: createCatalogLoaders(stores),
      service,
      now,
    }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('model-catalog'),
    production: deps.production,
    checkReady: () => deps.db.ping(),
    routes: createCatalogInternalRoutes(deps.db, deps.verifier, now),
  });
}
