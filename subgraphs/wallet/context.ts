import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { Ledger } from './service/ledger/ledger.js';
import type { WalletLoaders } from './loaders.js';

/** What the wallet subgraph's resolvers get per request. */
export interface WalletContext extends SubgraphBaseContext {
  loaders: WalletLoaders;
  ledger: Ledger;
}
