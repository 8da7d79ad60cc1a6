import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { CatalogLoaders } from './loaders.js';
import type { CatalogService } from './service/catalog-service.js';

/** What the catalog's resolvers get per request: loaders and the service, never a store. */
export interface CatalogContext extends SubgraphBaseContext {
  loaders: CatalogLoaders;
  service: CatalogService;
  now: () => Date;
}
