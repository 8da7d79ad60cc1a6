import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { Principal } from '../../lib/auth/principal.js';
import type { InternalTokenSigner } from '../../lib/auth/internal-token.js';
import { runMigrations, type Db } from '../../lib/db/index.js';
import type { Kv } from '../../lib/kv/index.js';
import { createCacheLookups, createServiceMetrics } from '../../lib/metrics.js';
import type { RateLimiter } from '../../lib/rate-limit/index.js';
import { createMemoryStreamLeases, type StreamLeases } from '../../lib/rate-limit/stream-leases.js';
import type { LocalRoutes } from '../../lib/http/local-routes.js';
import { createServiceClient } from '../../lib/service-client.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import { createIdempotencyStore } from './service/cache/idempotency.js';
import { createResponseCache } from './service/cache/response-cache.js';
import { DEFAULT_INFERENCE_SETTINGS, type InferenceSettings } from './config.js';
import type { InferenceContext } from './context.js';
import { createInferenceLoaders } from './loaders.js';
import { createModelHealth } from './service/model-health.js';
import { inferencePermissions } from './permissions.js';
import { createCatalogClient } from './clients/catalog-client.js';
import { createPolicyClient } from './clients/policy-client.js';
import { createPromptClient } from './clients/prompt-client.js';
import { createWalletClient } from './clients/wallet-client.js';
import { createCreditLeases } from './service/saga/credit-leases.js';
import { createSpendBatcher } from './service/saga/spend-batcher.js';
import { createLocalAdapter } from './providers/local/local-adapter.js';
import { createProviderRegistry } from './providers/registry.js';
import type { ProviderAdapter } from './providers/types.js';
import { resolvers } from './resolvers/index.js';
import { createBreakers } from './service/routing/breakers.js';
import { createChargeOutbox } from './service/saga/charge-outbox.js';
import { drainClock, type DrainOptions } from '../../lib/http/drain.js';
import { createLiveStreams } from './service/saga/live-streams.js';
import { createStreamMetrics } from './service/saga/stream-metrics.js';
import { createRateLimitMetrics } from './service/saga/rate-limit-metrics.js';
import { createSagaMetrics } from './service/saga/saga-metrics.js';
import type { SagaDeps } from './service/saga/saga-types.js';
import { createUsageMetrics } from './service/saga/usage-event.js';
import { createSingleflight } from './service/singleflight.js';
import { createRollupFolder } from './service/usage/rollup-folder.js';
import { createUsageWriter } from './service/usage/usage-writer.js';
import { SERVICE_CALL_TIMEOUT_MS } from './service/timing.js';
import { inferenceMigrations } from './store/migrations.js';
import { createUsageRollups } from './store/usage-rollups.js';
import { createUsageRows } from './store/usage-rows.js';

export const INFERENCE_SCHEMA = 'inference';

export const inferenceTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

/** The inference service as it speaks to policy and the wallet: for itself, never for a caller. */
export const INFERENCE_PRINCIPAL = (orgId: string): Principal => ({
  id: 'service:inference',
  kind: 'SERVICE',
  orgId,
  roles: [],
  scopes: ['wallet:hold', 'policy:decide', 'prompts:render'],
  teams: [],
});

export interface InferenceDeps extends SubgraphBaseDeps {
  /** The service's own database (schema `inference`): the charge outbox. */
  db: Db;
  kv: Kv;
  rateLimiter: RateLimiter;
  /**
   * Leases on each team's concurrent streams, shared by the replicas (Redis in production).
   * @default in this process
   */
  streamLeases?: StreamLeases;
  /** Signs the service's own token (issuer `inference`). */
  signer: InternalTokenSigner;
  /** GraphQL URLs of the subgraphs the saga calls (orchestration: prompts calls name). */
  services: { catalog: string; policy: string; wallet: string; orchestration: string };
  /**
   * Services in this process, which the saga's calls reach without a socket
   * (lib/http/local-routes.ts).
   * @default none: every call goes over HTTP
   */
  localRoutes?: LocalRoutes;
  /** @default DEFAULT_INFERENCE_SETTINGS */
  settings?: Partial<InferenceSettings>;
  /** @default 'default' */
  orgId?: string;
  /** Where provider API keys are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Replaces the built-in local provider (tests). */
  localProvider?: ProviderAdapter;
  now?: () => number;
  random?: () => number;
}

export async function prepareInferenceStore(db: Db): Promise<void> {
  await runMigrations(db, inferenceMigrations);
}

/** The inference subgraph: governed, paid model calls, and the live health they produce. */
// Long only as a factory: it wires or returns short methods, each read on its own.
export function createInferenceSubgraph(deps: InferenceDeps) {
  const settings = { ...DEFAULT_INFERENCE_SETTINGS, ...deps.settings };
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? createServiceMetrics('inference');
  const health = createModelHealth(deps.kv, now);
  const client = createServiceClient({
    signer: deps.signer,
    principal: INFERENCE_PRINCIPAL(deps.orgId ?? 'default'),
    timeoutMs: SERVICE_CALL_TIMEOUT_MS,
    localRoutes: deps.localRoutes,
  });
  const providers = createProviderRegistry({
    env: deps.env,
    local: deps.localProvider ?? createLocalAdapter({ streamDelayMs: settings.localStreamDelayMs }),
  });
  const policy = createPolicyClient({
    client,
    policyUrl: deps.services.policy,
    cacheMs: settings.policyCacheMs,
    logger: deps.logger,
    now,
  });
  const wallet = createWalletClient({ client, walletUrl: deps.services.wallet });
  const prompts = createPromptClient({
    client,
    orchestrationUrl: deps.services.orchestration,
    logger: deps.logger,
  });
  const usageMetrics = createUsageMetrics(metrics.registry);
  const rateLimitMetrics = createRateLimitMetrics(metrics.registry);
  const chargeOutbox = createChargeOutbox({
    db: deps.db,
    wallet,
    logger: deps.logger,
    registry: metrics.registry,
    onCharged: (charge, amount) =>
      usageMetrics.cost.inc({ model: charge.usage.modelId }, Number(amount)),
  });
  const rollupFolder = createRollupFolder({
    rows: createUsageRows(deps.db),
    logger: deps.logger,
    retentionDays: settings.usageRecordRetentionDays,
    now,
  });
  const usageWriter = createUsageWriter({
    db: deps.db,
    logger: deps.logger,
    registry: metrics.registry,
    onWritten: rollupFolder.soon,
  });
  const leases =
    settings.creditLeases.calls > 0
      ? createCreditLeases({ wallet, settings: settings.creditLeases, logger: deps.logger, now })
      : undefined;
  const breakers = createBreakers({
    failures: settings.circuitFailures,
    halfOpenAfterMs: settings.circuitHalfOpenMs,
    onChange: (modelId, state) => {
      deps.logger.warn({ modelId, circuit: state }, 'circuit breaker changed state');
      health.publishCircuit(modelId, state, settings.circuitHalfOpenMs).catch(() => undefined);
    },
  });
  const saga: SagaDeps = {
    catalog: createCatalogClient({
      client,
      catalogUrl: deps.services.catalog,
      cacheMs: settings.catalogCacheMs,
      logger: deps.logger,
      now,
    }),
    wallet,
    rateLimiter: deps.rateLimiter,
    providers,
    cache: createResponseCache(
      deps.kv,
      {
        generationSeconds: settings.generationCacheTtlSeconds,
        embeddingSeconds: settings.embeddingCacheTtlSeconds,
      },
      createCacheLookups(metrics.registry),
    ),
    idempotency: createIdempotencyStore(deps.kv, { ttlSeconds: settings.idempotencyTtlSeconds }),
    breakers,
    health,
    flights: createSingleflight(),
    leases,
    spend: createSpendBatcher(wallet),
    chargeOutbox,
    usageMetrics,
    usageWriter,
    rateLimitMetrics,
    sagaMetrics: createSagaMetrics(metrics.registry, breakers),
    settings,
    logger: deps.logger,
    random: deps.random ?? Math.random,
    now,
  };

  const usageRollups = createUsageRollups(deps.db, rollupFolder.catchUp);
  const live = createLiveStreams();
  const streams = {
    live,
    slots: {
      leases: deps.streamLeases ?? createMemoryStreamLeases(),
      leaseTtlMs: 30_000,
      failOpen: settings.rateLimitFailOpen,
      metrics: rateLimitMetrics,
    },
    metrics: createStreamMetrics(metrics.registry, live),
  };
  const server = createSubgraphServer<InferenceContext>({
    name: 'inference',
    typeDefs: inferenceTypeDefs,
    resolvers,
    permissions: inferencePermissions,
    buildContext: (base) => ({
      ...base,
      usage: usageRollups,
      health,
      saga,
      streams,
      prompts,
      ...createInferenceLoaders({ policy, saga }, base),
    }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics,
    production: deps.production,
    // Failing open (decision 74), a replica serves without Redis: unready then, every replica
    // would leave the load balancer together and the calls it would let through with them.
    checkReady: async () => {
      await Promise.all([deps.db.ping(), settings.rateLimitFailOpen || deps.kv.ping()]);
    },
    streamHeartbeatMs: settings.streamHeartbeatMs,
  });
  return {
    ...server,
    /** Serves, and sends the charges the outbox holds. */
    async start() {
      await server.start();
      chargeOutbox.start();
      // Records a replica wrote but did not fold before it died are folded by the next.
      rollupFolder.soon();
    },
    /**
     * Ends open streams with a terminal event (what they delivered charged), then stops; with
     * `drain`, after its delay (not ready, `connection: close`), within its deadline.
     */
    async stop(drain?: DrainOptions) {
      const clock = drain && drainClock(drain);
      server.beginDrain();
      await clock?.delay();
      await streams.live.shutdown();
      await server.stop(clock && { timeoutMs: clock.remaining(), delayMs: 0 });
      await Promise.all([
        chargeOutbox.stop(),
        usageWriter.stop().then(rollupFolder.stop),
        health.flush(),
      ]);
      await leases?.close();
      await Promise.all([client.close(), providers.close()]);
    },
  };
}
