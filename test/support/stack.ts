import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGateway, type Gateway, type GatewayDeps } from '../../gateway/server.js';
import { DEFAULT_OPERATION_LIMITS } from '../../gateway/plugins/operation-limits.js';
import { DEFAULT_PERSISTED_QUERIES } from '../../gateway/persisted-queries/persisted-query-cache.js';
import { SUPERGRAPH_FILE } from '../../gateway/supergraph/compose.js';
import { DEFAULT_USAGE_SETTINGS } from '../../gateway/usage/usage-recorder.js';
import type { Principal } from '../../lib/auth/principal.js';
import { loadInProcessCalls } from '../../lib/config.js';
import { createLocalRoutes, type LocalRoutes } from '../../lib/http/local-routes.js';
import { createDb, type Db } from '../../lib/db/index.js';
import { createKv, type Kv } from '../../lib/kv/index.js';
import { createRateLimiter, type RateLimiter } from '../../lib/rate-limit/index.js';
import { createStreamLeases } from '../../lib/rate-limit/stream-leases.js';
import type { Logger } from '../../lib/logging.js';
import type { SubgraphServer } from '../../lib/subgraph/subgraph-server.js';
import {
  CATALOG_SCHEMA,
  createCatalogSubgraph,
  prepareCatalogStore,
} from '../../subgraphs/model-catalog/server.js';
import {
  INFERENCE_SCHEMA,
  createInferenceSubgraph,
  prepareInferenceStore,
  type InferenceDeps,
} from '../../subgraphs/inference/server.js';
import { ISSUERS, createInternalTokenSigner } from '../../lib/auth/internal-token.js';
import { createPolicyService } from '../../subgraphs/policy/service/policy-service.js';
import {
  POLICY_SCHEMA,
  createPolicySubgraph,
  preparePolicyStore,
} from '../../subgraphs/policy/server.js';
import {
  WALLET_SCHEMA,
  createWalletSubgraph,
  prepareWalletStore,
} from '../../subgraphs/wallet/server.js';
import {
  BILLING_SCHEMA,
  createBillingSubgraph,
  prepareBillingStore,
} from '../../subgraphs/billing/server.js';
import { loadBillingSettings, type BillingSettings } from '../../subgraphs/billing/config.js';
import {
  ORCHESTRATION_SCHEMA,
  createOrchestrationSubgraph,
  prepareOrchestrationStore,
} from '../../subgraphs/orchestration/server.js';
import { STANDALONE_SUBGRAPHS } from '../../subgraphs/standalone-subgraphs.js';
import {
  createPaymentProvider,
  type PaymentProvider,
} from '../../subgraphs/billing/service/payment-provider.js';
import { gql, type GraphQLResponse, type RequestOptions } from './graphql-client.js';
import { createTestKeys, orgAdmin, silentLogger } from './identities.js';
import { createWatchedDispatcher, type WatchedDispatcher } from './service-calls.js';
import { createTestDatabase, createTestKv, type TestDatabase, type TestKv } from './stores.js';
import type { TcpProxy } from './tcp-proxy.js';
import type { StoreMode } from './test-env.js';
import type { Operation } from './typed-document.js';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';
const seedYaml = readFileSync(new URL('../../deploy/models.yaml', import.meta.url), 'utf8');

export interface StackOptions {
  mode: StoreMode;
  production?: boolean;
  /** Overrides for the gateway's config (OIDC, a supergraph file of the test's own, ...). */
  gateway?: Partial<GatewayDeps['config']>;
  supergraphPollMs?: number;
  /** Where the services log; silent by default. */
  logger?: Logger;
  /** The inference subgraph's settings, provider key variables and local provider. */
  inference?: Pick<InferenceDeps, 'settings' | 'env' | 'localProvider'>;
  /**
   * Real mode only: a database URL on the PostgreSQL server the run's database is created on (a
   * throwaway cluster a test restarts, say). @default DATABASE_URL
   */
  databaseServerUrl?: string;
  /** Real mode only: the subgraphs reach PostgreSQL through this proxy, so a test can cut it. */
  databaseProxy?: TcpProxy;
  /**
   * Real mode only: the inference subgraph's kv, rate limiter and stream leases reach Redis
   * through this proxy (the gateway and policy keep a direct connection).
   */
  inferenceRedisProxy?: TcpProxy;
  /**
   * Where the inference subgraph calls the wallet (a TcpProxy in front of a wallet process a test
   * kills, say). @default the stack's wallet
   */
  inferenceWalletUrl?: string;
  /** The inference rate limiter's Redis command timeout. @default 1000 */
  rateLimitCommandTimeoutMs?: number;
  /** Wraps the inference subgraph's kv, to inject a store's faults into some of its calls. */
  wrapInferenceKv?: (kv: Kv) => Kv;
  /**
   * The services call each other in process (lib/http/local-routes.ts), as under `npm start`.
   * @default MODELGRAPH_IN_PROCESS_CALLS (true unless set to false)
   */
  inProcessCalls?: boolean;
  /** How long the orchestration subgraph's flow-run leases last (crash tests shorten it). */
  orchestrationRunLeaseMs?: number;
  /**
   * The billing subgraph's payment provider (a Stripe emulator's) and settings.
   * @default a provider nobody answers for, and BILLING_* defaults
   */
  billing?: {
    provider?: PaymentProvider;
    settings?: Partial<BillingSettings>;
    /** Where billing calls the wallet (e.g. through a TcpProxy a test cuts). @default the wallet */
    walletUrl?: (walletUrl: string) => Promise<string> | string;
  };
}

export interface Stack {
  url: string;
  gatewayBase: string;
  subgraphUrls: Record<string, string>;
  kv: Kv;
  /** The limiter the policy subgraph reads status from (shares the run's key prefix). */
  rateLimiter: RateLimiter;
  dbs: { catalog: Db; policy: Db; wallet: Db; inference: Db; billing: Db; orchestration: Db };
  /** The databases of the subgraphs in subgraphs/standalone-subgraphs.ts, by subgraph name. */
  standaloneDbs: Record<string, Db>;
  /** The run's own PostgreSQL database (real mode), reached directly, not through a proxy. */
  databaseUrl: string | undefined;
  /** Sends an operation to the gateway with `token` as the bearer credential. */
  request<D = unknown, V = Record<string, unknown>>(
    operation: Operation<D, V>,
    options?: RequestOptions<V>,
  ): Promise<GraphQLResponse<D>>;
  /** Creates a team and an API key with `scopes` directly in the policy store. */
  createTeamWithKey(
    name: string,
    scopes: Principal['teams'][number]['scopes'],
  ): Promise<{ teamId: string; key: string; keyId: string }>;
  gateway: Gateway;
  /**
   * The gateway's own service calls (policy's key store), and its subgraph fetches when they run
   * in process, for tests that watch or delay them.
   */
  serviceCalls: Pick<WatchedDispatcher, 'watch'>;
  /** The internal key pair, for a service run in a process of its own alongside the stack. */
  internalKeys: { privateKeyPem: string; publicKeyPem: string };
  /** An internal token for `principal`, as the gateway signs it (to call a subgraph directly). */
  internalToken(principal: Principal): Promise<string>;
  /** Stops one subgraph (to see how the rest behave without it). */
  stopSubgraph(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The run's own database (every subgraph schema, migrated and seeded), kv and limiter. */
async function openStackStores(options: StackOptions) {
  const database: TestDatabase = await createTestDatabase(options.mode, options.databaseServerUrl);
  const testKv: TestKv = await createTestKv(options.mode);
  const rateLimiter = await createRateLimiter({
    redisUrl: testKv.redisUrl,
    keyPrefix: testKv.keyPrefix,
  });
  const proxiedDbs: Db[] = [];
  const openDb = async (schema: string) => {
    if (!options.databaseProxy || !database.url) return database.open(schema);
    const db = await createDb({
      url: options.databaseProxy.urlFor(database.url),
      schema,
      poolSize: 5,
    });
    proxiedDbs.push(db);
    return db;
  };
  const [catalog, policy, wallet, inference, billing, orchestration] = await Promise.all([
    openDb(CATALOG_SCHEMA),
    openDb(POLICY_SCHEMA),
    openDb(WALLET_SCHEMA),
    openDb(INFERENCE_SCHEMA),
    openDb(BILLING_SCHEMA),
    openDb(ORCHESTRATION_SCHEMA),
  ]);
  const standaloneDbs = Object.fromEntries(
    await Promise.all(
      STANDALONE_SUBGRAPHS.map(async (s) => [s.name, await openDb(s.dbSchema)] as const),
    ),
  );
  await Promise.all([
    prepareCatalogStore(catalog, seedYaml),
    preparePolicyStore(policy),
    prepareWalletStore(wallet),
    prepareInferenceStore(inference),
    prepareBillingStore(billing),
    prepareOrchestrationStore(orchestration),
    ...STANDALONE_SUBGRAPHS.map((s) => s.prepareStore(standaloneDbs[s.name]!)),
  ]);
  return {
    database,
    testKv,
    rateLimiter,
    proxiedDbs,
    dbs: { catalog, policy, wallet, inference, billing, orchestration },
    standaloneDbs,
  };
}
type StackStores = Awaited<ReturnType<typeof openStackStores>>;

/** The inference subgraph's kv and limiter: the run's own, or through `inferenceRedisProxy`. */
async function openInferenceStores(options: StackOptions, stores: StackStores) {
  const { testKv, rateLimiter } = stores;
  const redisUrl =
    options.inferenceRedisProxy && testKv.redisUrl
      ? options.inferenceRedisProxy.urlFor(testKv.redisUrl)
      : undefined;
  const streamLeases = await createStreamLeases({
    redisUrl: redisUrl ?? testKv.redisUrl,
    keyPrefix: testKv.keyPrefix,
  });
  if (!redisUrl) return { kv: testKv.kv, rateLimiter, streamLeases };
  return {
    streamLeases,
    kv: await createKv({ url: redisUrl, keyPrefix: testKv.keyPrefix }),
    rateLimiter: await createRateLimiter({
      redisUrl,
      keyPrefix: testKv.keyPrefix,
      // As inference's main.ts wires it: one setting for the limiter and the stream slots.
      failOpen: options.inference?.settings?.rateLimitFailOpen,
      commandTimeoutMs: options.rateLimitCommandTimeoutMs,
    }),
  };
}

/**
 * Starts catalog, wallet and policy, then orchestration, inference and billing (which call them),
 * then the standalone subgraphs, each on port 0.
 */
async function startSubgraphs(
  options: StackOptions,
  stores: StackStores,
  inferenceStores: Awaited<ReturnType<typeof openInferenceStores>>,
  keys: Awaited<ReturnType<typeof createTestKeys>>,
  logger: Logger,
  localRoutes: LocalRoutes | undefined,
) {
  const common = { verifier: keys.verifier, production: options.production ?? false };
  const subgraphs: Record<string, SubgraphServer> = {
    'model-catalog': createCatalogSubgraph({
      ...common,
      db: stores.dbs.catalog,
      logger: logger.child({ service: 'model-catalog' }),
    }),
    wallet: createWalletSubgraph({
      ...common,
      db: stores.dbs.wallet,
      logger: logger.child({ service: 'wallet' }),
    }),
    policy: createPolicySubgraph({
      ...common,
      db: stores.dbs.policy,
      kv: stores.testKv.kv,
      rateLimiter: stores.rateLimiter,
      streamLeases: inferenceStores.streamLeases,
      supergraphPath: options.gateway?.supergraphPath,
      logger: logger.child({ service: 'policy' }),
    }),
  };
  const urls: Record<string, string> = {};
  const listen = async (name: string, server: SubgraphServer) => {
    await server.start();
    urls[name] = `http://127.0.0.1:${await server.listen(0)}/graphql`;
    localRoutes?.register(urls[name]!, server);
  };
  for (const [name, server] of Object.entries(subgraphs)) await listen(name, server);
  subgraphs.orchestration = createOrchestrationSubgraph({
    ...common,
    db: stores.dbs.orchestration,
    signer: await createInternalTokenSigner({
      privateKeyPem: keys.privateKeyPem,
      issuer: ISSUERS.orchestration,
    }),
    services: {
      policy: urls.policy!,
      wallet: urls.wallet!,
      catalog: urls['model-catalog']!,
      // Inference starts after orchestration (it calls orchestration for prompts).
      get inference() {
        return urls.inference!;
      },
    },
    localRoutes,
    runLeaseMs: options.orchestrationRunLeaseMs,
    logger: logger.child({ service: 'orchestration' }),
  });
  await listen('orchestration', subgraphs.orchestration);
  subgraphs.inference = createInferenceSubgraph({
    ...common,
    db: stores.dbs.inference,
    kv: options.wrapInferenceKv ? options.wrapInferenceKv(inferenceStores.kv) : inferenceStores.kv,
    rateLimiter: inferenceStores.rateLimiter,
    streamLeases: inferenceStores.streamLeases,
    signer: await createInternalTokenSigner({
      privateKeyPem: keys.privateKeyPem,
      issuer: ISSUERS.inference,
    }),
    services: {
      catalog: urls['model-catalog']!,
      policy: urls.policy!,
      wallet: options.inferenceWalletUrl ?? urls.wallet!,
      orchestration: urls.orchestration!,
    },
    settings: options.inference?.settings,
    env: options.inference?.env ?? {},
    localProvider: options.inference?.localProvider,
    localRoutes,
    logger: logger.child({ service: 'inference' }),
  });
  await listen('inference', subgraphs.inference);
  subgraphs.billing = createBillingSubgraph({
    ...common,
    db: stores.dbs.billing,
    provider:
      options.billing?.provider ??
      createPaymentProvider({
        secretKey: 'sk_test_unanswered',
        webhookSecret: 'whsec_unanswered',
        apiUrl: 'http://127.0.0.1:9',
        testMode: true,
        maxNetworkRetries: 0,
      }),
    signer: await createInternalTokenSigner({
      privateKeyPem: keys.privateKeyPem,
      issuer: ISSUERS.billing,
    }),
    services: {
      wallet: (await options.billing?.walletUrl?.(urls.wallet!)) ?? urls.wallet!,
      policy: urls.policy!,
    },
    settings: { ...loadBillingSettings({}), ...options.billing?.settings },
    localRoutes,
    logger: logger.child({ service: 'billing' }),
  });
  await listen('billing', subgraphs.billing);
  for (const standalone of STANDALONE_SUBGRAPHS) {
    subgraphs[standalone.name] = standalone.create({
      ...common,
      db: stores.standaloneDbs[standalone.name]!,
      logger: logger.child({ service: standalone.name }),
    });
    await listen(standalone.name, subgraphs[standalone.name]!);
  }
  return { subgraphs, urls };
}

/** The gateway over the subgraphs, on port 0, its service calls watchable by tests. */
async function startTestGateway(
  options: StackOptions,
  kv: Kv,
  keys: Awaited<ReturnType<typeof createTestKeys>>,
  subgraphUrls: Record<string, string>,
  logger: Logger,
  localRoutes: LocalRoutes | undefined,
) {
  const serviceCalls = createWatchedDispatcher();
  const gateway = createGateway({
    config: {
      production: options.production ?? false,
      orgId: 'default',
      adminKey: TEST_ADMIN_KEY,
      supergraphPath: fileURLToPath(SUPERGRAPH_FILE),
      subgraphUrls,
      oidc: undefined,
      persistedQueries: DEFAULT_PERSISTED_QUERIES,
      maxBodyBytes: 1024 * 1024,
      limits: DEFAULT_OPERATION_LIMITS,
      // Off unless a test turns it on, in production too: tests send full queries.
      trustedDocuments: { mode: 'off', cacheBytes: 32 * 1024 * 1024, negativeTtlMs: 5_000 },
      usage: DEFAULT_USAGE_SETTINGS,
      ...options.gateway,
    },
    kv,
    signer: keys.signer,
    logger: logger.child({ service: 'gateway' }),
    supergraphPollMs: options.supergraphPollMs,
    serviceDispatcher: serviceCalls.dispatcher,
    localRoutes: localRoutes && serviceCalls.localRoutes(localRoutes),
  });
  await gateway.start();
  const base = `http://127.0.0.1:${await gateway.listen(0)}`;
  return { gateway, serviceCalls, base };
}

/**
 * The whole platform for an end-to-end test: every subgraph and the gateway, each on its own
 * ephemeral port, on a fresh database and key prefix (embedded or real). Clients reach the
 * gateway over HTTP; the services call each other in process, as under `npm start`, unless
 * `inProcessCalls` is false (then over HTTP too).
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const logger = options.logger ?? silentLogger;
  const stores = await openStackStores(options);
  const { database, testKv, rateLimiter, dbs, standaloneDbs } = stores;
  const keys = await createTestKeys();
  const inferenceStores = await openInferenceStores(options, stores);
  const inProcess = options.inProcessCalls ?? loadInProcessCalls(process.env);
  const localRoutes = inProcess ? createLocalRoutes() : undefined;
  const { subgraphs, urls } = await startSubgraphs(
    options,
    stores,
    inferenceStores,
    keys,
    logger,
    localRoutes,
  );
  const { gateway, serviceCalls, base } = await startTestGateway(
    options,
    testKv.kv,
    keys,
    urls,
    logger,
    localRoutes,
  );
  const url = `${base}/graphql`;
  const policyService = createPolicyService(dbs.policy, testKv.kv, () => new Date());
  const caller = { principal: orgAdmin(), requestId: 'test-stack' };

  return {
    url,
    gatewayBase: base,
    subgraphUrls: urls,
    kv: testKv.kv,
    rateLimiter,
    dbs,
    standaloneDbs,
    databaseUrl: database.url,
    gateway,
    serviceCalls,
    request: (operation, requestOptions) => gql(url, operation, requestOptions),
    internalKeys: { privateKeyPem: keys.privateKeyPem, publicKeyPem: keys.publicKeyPem },
    internalToken: (principal) => keys.signer.sign(principal, 'test-stack-request'),
    async createTeamWithKey(name, scopes) {
      const team = await policyService.createTeam(caller, name);
      const { apiKey, secret } = await policyService.createApiKey(caller, {
        teamId: team.id,
        name: `${name} key`,
        scopes,
      });
      return { teamId: team.id, key: secret, keyId: apiKey.id };
    },
    async stopSubgraph(name) {
      const server = subgraphs[name];
      delete subgraphs[name];
      await server?.stop();
    },
    async stop() {
      await gateway.stop();
      await serviceCalls.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
      await Promise.all(stores.proxiedDbs.map((db) => db.close().catch(() => undefined)));
      await database.drop();
      await rateLimiter.close();
      if (inferenceStores.rateLimiter !== rateLimiter) await inferenceStores.rateLimiter.close();
      await inferenceStores.streamLeases.close();
      if (inferenceStores.kv !== testKv.kv) await inferenceStores.kv.close();
      await testKv.cleanup();
    },
  };
}
