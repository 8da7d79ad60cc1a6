import type { Db } from '../../lib/db/index.js';
import type { AccessService } from './access-service.js';
import type { RateLimiter } from '../../lib/rate-limit/index.js';
import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { PolicyLoaders } from './loaders.js';
import type { PolicyService } from './policy-service.js';
import type { TeamStore } from './store/team-store.js';

/** What the policy subgraph's resolvers get per request. */
export interface PolicyContext extends SubgraphBaseContext {
  db: Db;
  rateLimiter: RateLimiter;
  access: AccessService;
  loaders: PolicyLoaders;
  stores: { teams: TeamStore };
  service: PolicyService;
}
