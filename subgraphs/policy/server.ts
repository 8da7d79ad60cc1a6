import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { runMigrations, type Db } from '../../lib/db/index.js';
import type { RateLimiter } from '../../lib/rate-limit/index.js';
import type { StreamLeases } from '../../lib/rate-limit/stream-leases.js';
import type { Kv } from '../../lib/kv/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { PolicyContext } from './context.js';
import { createPolicyInternalRoutes } from './internal-routes.js';
import { createPolicyLoaders } from './loaders.js';
import { policyPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { createFieldUsage } from './service/field-usage.js';
import { createPolicyReads } from './service/policy-reads.js';
import { currentApiSchema } from './service/current-api-schema.js';
import { createPolicyService } from './service/policy-service.js';
import { createTrustedDocumentService } from './service/trusted-document-service.js';
import { createApiKeyStore } from './store/api-key-store.js';
import { policyMigrations } from './store/migrations.js';
import { createQuotaStore } from './store/quota-store.js';
import { createAccessRuleStore } from './store/access-rule-store.js';
import { createTeamStore } from './store/team-store.js';

export const POLICY_SCHEMA = 'policy';
export const policyTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

const DEFAULT_SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

export interface PolicyDeps extends SubgraphBaseDeps {
  /** Where team rate limits are counted (shared with whatever enforces them). */
  rateLimiter: RateLimiter;
  /**
   * The leases inference takes on each team's concurrent streams (the same store: Redis, or in
   * process the very object inference was given), read by `rateLimitStatus.concurrentStreams`.
   */
  streamLeases: StreamLeases;
  db: Db;
  kv: Kv;
  /** @default 'default' */
  orgId?: string;
  /**
   * The supergraph file the gateway serves (SUPERGRAPH_PATH): published documents are checked
   * against its API schema, read again when it changes. @default this checkout's
   * schema/supergraph.graphql
   */
  supergraphPath?: string;
  /** Field usage older than this many days is dropped. @default 90 */
  usageRetentionDays?: number;
  now?: () => Date;
}

export async function preparePolicyStore(db: Db): Promise<void> {
  await runMigrations(db, policyMigrations);
}

/** The policy subgraph: teams, members, API keys (and the key store the gateway asks). */
export function createPolicySubgraph(deps: PolicyDeps) {
  const now = deps.now ?? (() => new Date());
  const stores = {
    teams: createTeamStore(deps.db),
    apiKeys: createApiKeyStore(deps.db),
    quotas: createQuotaStore(deps.db),
    accessRules: createAccessRuleStore(deps.db),
  };
  const apiSchema = currentApiSchema(
    deps.supergraphPath ?? fileURLToPath(DEFAULT_SUPERGRAPH),
    deps.logger,
  );
  const fieldUsage = createFieldUsage(deps.db, now, deps.usageRetentionDays);
  const service = {
    ...createPolicyService(deps.db, deps.kv, now),
    ...createPolicyReads(deps.db, deps.rateLimiter, deps.streamLeases),
    ...createTrustedDocumentService(deps.db, apiSchema),
    ...fieldUsage,
  };
  return createSubgraphServer<PolicyContext>({
    name: 'policy',
    typeDefs: policyTypeDefs,
    resolvers,
    permissions: policyPermissions,
    buildContext: (base) => ({
      ...base,
      loaders: createPolicyLoaders(stores),
      service,
    }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('policy'),
    production: deps.production,
    checkReady: async () => {
      await Promise.all([deps.db.ping(), deps.kv.ping()]);
    },
    routes: createPolicyInternalRoutes(deps.db, deps.verifier, deps.orgId ?? 'default', fieldUsage),
  });
}
