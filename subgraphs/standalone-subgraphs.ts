import type { Db } from '../lib/db/index.js';
import type { SubgraphBaseDeps, SubgraphServer } from '../lib/subgraph/subgraph-server.js';

/**
 * A subgraph that needs only the base deps and a database schema of its own: what
 * `npm run subgraph:new` writes. `npm start` and the test stack start every one listed here.
 */
export interface StandaloneSubgraph {
  /** Its name in schema/supergraph.yaml. */
  name: string;
  /** Its own port when run alone; `npm start` keeps the same order from SUBGRAPH_PORT_BASE. */
  defaultPort: number;
  /** Its schema in the shared database. */
  dbSchema: string;
  /** Runs its migrations. */
  prepareStore(db: Db): Promise<void>;
  create(deps: SubgraphBaseDeps & { db: Db }): SubgraphServer;
}

// `npm run subgraph:new` adds an import above this line and an entry to the list.
export const STANDALONE_SUBGRAPHS: StandaloneSubgraph[] = [];
