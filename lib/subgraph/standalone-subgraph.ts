import type { Db } from '../db/index.js';
import type { SubgraphBaseDeps, SubgraphServer } from './subgraph-server.js';

/**
 * A subgraph that needs only the base deps and a database schema of its own, as
 * `npm run subgraph:new` writes it: `npm start` and the test stack start every one listed in
 * subgraphs/standalone-subgraphs.ts.
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
