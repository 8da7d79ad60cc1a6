import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { InternalTokenSigner } from '../../lib/auth/internal-token.js';
import type { Principal } from '../../lib/auth/principal.js';
import { runMigrations, type Db } from '../../lib/db/index.js';
import type { LocalRoutes } from '../../lib/http/local-routes.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createServiceClient } from '../../lib/service-client.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import { createUsearchVectorIndex } from '../../lib/vectors/usearch-vector-index.js';
import { createAuditClient } from './clients/audit-client.js';
import { createInferenceClient } from './clients/inference-client.js';
import { createModelPrices } from './clients/model-prices.js';
import { createRunWallet } from './clients/run-wallet.js';
import type { OrchestrationContext } from './context.js';
import { createOrchestrationInternalRoutes } from './internal-routes.js';
import { createFlowLoaders } from './flow-loaders.js';
import { createOrchestrationLoaders } from './loaders.js';
import { orchestrationPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { createCollections } from './service/collections/collections.js';
import { createFlows } from './service/flows/flows.js';
import { createPlatformPorts } from './service/flows/platform-ports.js';
import { createRunExecutor } from './service/flows/run-executor.js';
import { createProgressSignals } from './service/flows/run-progress.js';
import { createPrompts } from './service/prompts.js';
import { createVariableSchemas } from './service/prompt-variables.js';
import { createInfoStore } from './store/info-store.js';
import { createCollectionStore } from './store/collection-store.js';
import { orchestrationMigrations } from './store/migrations.js';
import { createFlowStore } from './store/flow-store.js';
import { createPromptStore } from './store/prompt-store.js';
import { createRunStore } from './store/run-store.js';

export const ORCHESTRATION_SCHEMA = 'orchestration';
export const orchestrationTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

/**
 * The orchestration service speaking for itself: to policy (the audit log) and to the wallet
 * (flow runs' holds, wallet:hold). Model calls it makes for a caller carry that caller instead.
 */
export const ORCHESTRATION_PRINCIPAL = (orgId: string): Principal => ({
  id: 'service:orchestration',
  kind: 'SERVICE',
  orgId,
  roles: [],
  scopes: ['wallet:hold'],
  teams: [],
});

/** How long orchestration waits for policy on one call. */
const SERVICE_CALL_TIMEOUT_MS = 10_000;

export interface OrchestrationDeps extends SubgraphBaseDeps {
  /** The subgraph's own database (schema `orchestration`). */
  db: Db;
  /** Signs the service's own token (issuer `orchestration`). */
  signer: InternalTokenSigner;
  /**
   * GraphQL URLs of the subgraphs orchestration calls. `inference` is read at each call, not
   * when the subgraph is made: in one process inference starts after orchestration (it calls
   * orchestration for prompts), so a starter may pass it as a getter.
   */
  services: { policy: string; wallet: string; inference: string; catalog: string };
  /**
   * Services in this process, reached without a socket (lib/http/local-routes.ts).
   * @default none: every call goes over HTTP
   */
  localRoutes?: LocalRoutes;
  /** @default 'default' */
  orgId?: string;
  /** How long a flow run's lease lasts without renewal (tests shorten it). @default 15000 */
  runLeaseMs?: number;
  /**
   * Where collections' vector graphs are saved, so a restart loads them instead of building
   * them from the table (decision 97). @default none: every restart rebuilds from the table
   */
  vectorSnapshotDir?: string;
}

export async function prepareOrchestrationStore(db: Db): Promise<void> {
  await runMigrations(db, orchestrationMigrations);
}

/**
 * The orchestration subgraph: prompt templates and retrieval collections (their vectors in the
 * usearch index over this subgraph's database, decision 97); flows join them as a service of
 * their own (service/), with its store and resolvers.
 */
export function createOrchestrationSubgraph(deps: OrchestrationDeps) {
  const info = createInfoStore(deps.db);
  const store = createPromptStore(deps.db);
  const client = createServiceClient({
    signer: deps.signer,
    principal: ORCHESTRATION_PRINCIPAL(deps.orgId ?? 'default'),
    timeoutMs: SERVICE_CALL_TIMEOUT_MS,
    localRoutes: deps.localRoutes,
  });
  const audit = createAuditClient({ client, policyUrl: deps.services.policy, logger: deps.logger });
  const prompts = createPrompts({ store, schemas: createVariableSchemas(), audit });
  // One client; its URL read per call (in one process inference starts after orchestration).
  const inferenceClient = createInferenceClient({
    client,
    inferenceUrl: () => deps.services.inference,
  });
  const inference = () => inferenceClient;
  const vectors = createUsearchVectorIndex({
    db: deps.db,
    snapshotDir: deps.vectorSnapshotDir,
    onSnapshotError: (collectionId, error) =>
      deps.logger.warn(
        { err: error, collectionId },
        'vector snapshot not saved; the table holds it',
      ),
  });
  const collections = createCollections({
    store: createCollectionStore(deps.db),
    index: vectors,
    inference,
    audit,
  });
  const flowStore = createFlowStore(deps.db);
  const runs = createRunStore(deps.db);
  const progress = createProgressSignals();
  const prices = createModelPrices({ client, catalogUrl: deps.services.catalog });
  const executor = createRunExecutor({
    runs,
    flows: flowStore,
    payments: createRunWallet({ client, walletUrl: deps.services.wallet }),
    portsFor: (run) =>
      createPlatformPorts(
        {
          inference,
          prices,
          collections,
          renderPrompt: (caller, ref, variables) =>
            prompts.renderForTeam(
              { ...caller, loaders: createOrchestrationLoaders(store) },
              caller.teamId,
              ref,
              variables,
            ),
        },
        run,
      ),
    // One name per process: a restarted replica is another owner, and resumes by the sweep.
    owner: `orchestration:${randomUUID()}`,
    leaseMs: deps.runLeaseMs,
    logger: deps.logger,
    onStep: (runId) => progress.notify(runId),
    onEnd: (run) => progress.notify(run.id),
  });
  const flows = createFlows({
    flows: flowStore,
    runs,
    executor: () => executor,
    audit,
    collections,
  });
  const server = createSubgraphServer<OrchestrationContext>({
    name: 'orchestration',
    typeDefs: orchestrationTypeDefs,
    resolvers,
    permissions: orchestrationPermissions,
    buildContext: (base) => ({
      ...base,
      info,
      prompts,
      collections,
      flows,
      runs,
      progress,
      loaders: createOrchestrationLoaders(store),
      flowLoaders: createFlowLoaders(flowStore, runs),
    }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('orchestration'),
    production: deps.production,
    checkReady: () => deps.db.ping(),
    routes: createOrchestrationInternalRoutes(deps.verifier, prompts, store),
  });
  return {
    ...server,
    /** This replica's flow runs (tests wait on them). */
    executor,
    async stop(...args: Parameters<typeof server.stop>) {
      // Runs under way are left to their leases: the next replica's sweep resumes them.
      await executor.stop();
      await server.stop(...args);
      await audit.flush();
      await vectors.close();
      await client.close();
    },
  };
}
