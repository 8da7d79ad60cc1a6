import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { BillingLoaders } from './loaders.js';
import type { Billing } from './service/billing.js';

/** What the billing subgraph's resolvers get per request: loaders and billing's services. */
export interface BillingContext extends SubgraphBaseContext {
  loaders: BillingLoaders;
  billing: Billing;
}
