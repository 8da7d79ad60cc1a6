import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { CatalogService } from './catalog-service.js';
import type { CatalogLoaders } from './loaders.js';
import type { ModelStore } from './store/model-store.js';
import type { ProviderStore } from './store/provider-store.js';
import type { RouteStore } from './store/route-store.js';

/** What the catalog's resolvers get per request. */
export interface CatalogContext extends SubgraphBaseContext {
  loaders: CatalogLoaders;
  stores: { models: ModelStore; providers: ProviderStore; routes: RouteStore };
  service: CatalogService;
  now: () => Date;
}
