import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureConsoleBuilt } from '../console/build/build-console.js';
import { publishConsoleDocuments } from '../console/build/publish-console.js';
import { createGateway } from '../gateway/server.js';
import {
  createInternalTokenSigner,
  createPlatformVerifier,
  ISSUERS,
  generateInternalKeyPair,
} from '../lib/auth/internal-token.js';
import { createDb, createDbs, type Db } from '../lib/db/index.js';
import { vectorSnapshotDir } from '../lib/vectors/snapshot-files.js';
import { createLocalRoutes } from '../lib/http/local-routes.js';
import { createKv } from '../lib/kv/index.js';
import { createRateLimiter } from '../lib/rate-limit/index.js';
import { createStreamLeases } from '../lib/rate-limit/stream-leases.js';
import { createLogger } from '../lib/logging.js';
import { runService } from '../lib/subgraph/run-service.js';
import { startTracing } from '../lib/tracing/start-tracing.js';
import type { SubgraphServer } from '../lib/subgraph/subgraph-server.js';
import {
  CATALOG_SCHEMA,
  createCatalogSubgraph,
  prepareCatalogStore,
} from '../subgraphs/model-catalog/server.js';
import {
  INFERENCE_SCHEMA,
  createInferenceSubgraph,
  prepareInferenceStore,
} from '../subgraphs/inference/server.js';
import {
  POLICY_SCHEMA,
  createPolicySubgraph,
  preparePolicyStore,
} from '../subgraphs/policy/server.js';
import {
  WALLET_SCHEMA,
  createWalletSubgraph,
  prepareWalletStore,
} from '../subgraphs/wallet/server.js';
import {
  BILLING_SCHEMA,
  createBillingSubgraph,
  prepareBillingStore,
} from '../subgraphs/billing/server.js';
import { createPaymentProvider } from '../subgraphs/billing/service/payment-provider.js';
import {
  ORCHESTRATION_SCHEMA,
  createOrchestrationSubgraph,
  prepareOrchestrationStore,
} from '../subgraphs/orchestration/server.js';
import { STANDALONE_SUBGRAPHS } from '../subgraphs/standalone-subgraphs.js';
import { loadDevConfig } from './config.js';
import { startTestModePayments } from './test-mode-payments.js';
import { printBanner } from './banner.js';
import { DEMO_CREDITS, MICRO_CREDITS_PER_CREDIT, seedDemoTeam } from './demo-seed.js';

/*
 * `npm start`: the gateway and every subgraph in one process, on embedded PGlite and the
 * in-process store unless DATABASE_URL / REDIS_URL say otherwise. The internal key pair is made
 * fresh at every start; production runs each service on its own (see deploy/).
 */
const started = Date.now();
const keys = await generateInternalKeyPair();
const config = loadDevConfig(process.env, keys);
const logger = createLogger({ service: 'modelgraph-dev', level: config.logLevel });

await runService(logger, { drainTimeoutMs: config.drain.timeoutMs }, async () => {
  // First, so that everything made below runs with tracing on when it is configured.
  const stopTracing = await startTracing(config.tracing, logger);
  // The web console: built here when missing or stale, so `npm ci && npm start` needs no step.
  const consoleBuild = await ensureConsoleBuilt((message) => logger.info(message)).catch(
    (error: unknown) => {
      logger.warn({ err: error }, 'the console could not be built; /console is unavailable');
      return undefined;
    },
  );
  const verifier = await createPlatformVerifier(keys.publicKeyPem);
  const kv = await createKv({ url: config.redisUrl });
  const rateLimiter = await createRateLimiter({ redisUrl: config.redisUrl });
  // Inference's own limiter, as in its own process: it alone may fail open.
  const inferenceLimiter = await createRateLimiter({
    redisUrl: config.redisUrl,
    failOpen: config.inference.rateLimitFailOpen,
  });
  // One lease store: inference takes the leases, policy's rateLimitStatus counts them.
  const streamLeases = await createStreamLeases({ redisUrl: config.redisUrl });
  // In memory, the schemas share one embedded database (one engine start, not four); a
  // data directory keeps its folder per subgraph, as each subgraph's own process does.
  const persistent = config.dataDir && !config.databaseUrl ? config.dataDir : undefined;
  const databases: Array<[string, string]> = [
    ['model-catalog', CATALOG_SCHEMA],
    ['policy', POLICY_SCHEMA],
    ['wallet', WALLET_SCHEMA],
    ['inference', INFERENCE_SCHEMA],
    ['billing', BILLING_SCHEMA],
    ['orchestration', ORCHESTRATION_SCHEMA],
    ...STANDALONE_SUBGRAPHS.map((s): [string, string] => [s.name, s.dbSchema]),
  ];
  const dbs: Db[] = persistent
    ? await Promise.all(
        databases.map(([name, schema]) => createDb({ schema, dataDir: `${persistent}/${name}` })),
      )
    : await createDbs(
        { url: config.databaseUrl, poolSize: config.poolSize },
        databases.map(([, schema]) => schema),
      );
  const [catalogDb, policyDb, walletDb, inferenceDb, billingDb, orchestrationDb, ...standaloneDbs] =
    dbs;
  await Promise.all([
    prepareCatalogStore(catalogDb!, readFileSync(config.seedFile, 'utf8')),
    preparePolicyStore(policyDb!),
    prepareWalletStore(walletDb!),
    prepareInferenceStore(inferenceDb!),
    prepareBillingStore(billingDb!),
    prepareOrchestrationStore(orchestrationDb!),
    ...STANDALONE_SUBGRAPHS.map((s, i) => s.prepareStore(standaloneDbs[i]!)),
  ]);

  // Without a provider key, the local TEST MODE provider takes payments (dev/test-mode-payments.ts).
  const testMode = config.billing.provider
    ? undefined
    : await startTestModePayments({
        port: config.billing.testModePort,
        host: config.host,
        logger: logger.child({ service: 'test-mode-payments' }),
      });
  const common = { verifier, production: config.production };
  // Calls between the services skip the sockets (lib/http/local-routes.ts) unless
  // MODELGRAPH_IN_PROCESS_CALLS is false; streams still go over HTTP.
  const localRoutes = config.inProcessCalls ? createLocalRoutes() : undefined;
  const signer = (issuer: string) =>
    createInternalTokenSigner({ privateKeyPem: keys.privateKeyPem, issuer });
  // Ports keep the per-service defaults' order (catalog 4001, inference 4002, wallet 4003, policy
  // 4004, billing 4005, orchestration 4006, then the standalone subgraphs' own); orchestration,
  // inference and billing start after the services they call (inference calls orchestration).
  const subgraphs: Array<
    [string, number, (urls: Record<string, string>) => Promise<SubgraphServer>]
  > = [
    [
      'model-catalog',
      0,
      async () =>
        createCatalogSubgraph({
          ...common,
          db: catalogDb!,
          logger: logger.child({ service: 'model-catalog' }),
        }),
    ],
    [
      'wallet',
      2,
      async () =>
        createWalletSubgraph({
          ...common,
          db: walletDb!,
          sweepIntervalMs: config.sweepIntervalMs,
          invariantCheckIntervalMs: config.invariantCheckIntervalMs,
          logger: logger.child({ service: 'wallet' }),
        }),
    ],
    [
      'policy',
      3,
      async () =>
        createPolicySubgraph({
          ...common,
          db: policyDb!,
          kv,
          rateLimiter,
          streamLeases,
          orgId: config.orgId,
          supergraphPath: config.gateway.supergraphPath,
          usageRetentionDays: config.usageRetentionDays,
          logger: logger.child({ service: 'policy' }),
        }),
    ],
    [
      'orchestration',
      5,
      async (urls) =>
        createOrchestrationSubgraph({
          ...common,
          db: orchestrationDb!,
          signer: await signer(ISSUERS.orchestration),
          services: {
            policy: urls.policy!,
            wallet: urls.wallet!,
            catalog: urls['model-catalog']!,
            // Inference starts after orchestration (it calls orchestration for prompts).
            get inference() {
              return urls.inference!;
            },
          },
          orgId: config.orgId,
          // Graphs are worth saving only where the collections outlive this start: a persistent
          // data folder or a real database (an ephemeral embedded one starts empty each time).
          vectorSnapshotDir:
            config.vectorSnapshotDir ??
            (persistent
              ? join(persistent, 'vectors')
              : config.databaseUrl
                ? vectorSnapshotDir(undefined)
                : undefined),
          localRoutes,
          logger: logger.child({ service: 'orchestration' }),
        }),
    ],
    [
      'inference',
      1,
      async (urls) =>
        createInferenceSubgraph({
          ...common,
          db: inferenceDb!,
          kv,
          rateLimiter: inferenceLimiter,
          streamLeases,
          signer: await signer(ISSUERS.inference),
          settings: config.inference,
          orgId: config.orgId,
          services: {
            catalog: urls['model-catalog']!,
            policy: urls.policy!,
            wallet: urls.wallet!,
            orchestration: urls.orchestration!,
          },
          localRoutes,
          logger: logger.child({ service: 'inference' }),
        }),
    ],
    [
      'billing',
      4,
      async (urls) =>
        createBillingSubgraph({
          ...common,
          db: billingDb!,
          provider: config.billing.provider
            ? createPaymentProvider(config.billing.provider)
            : testMode!.provider,
          signer: await signer(ISSUERS.billing),
          services: { wallet: urls.wallet!, policy: urls.policy! },
          settings: config.billing.settings,
          orgId: config.orgId,
          localRoutes,
          logger: logger.child({ service: 'billing' }),
        }),
    ],
    ...STANDALONE_SUBGRAPHS.map((s, i): (typeof subgraphs)[number] => [
      s.name,
      s.defaultPort - 4001,
      async () =>
        s.create({ ...common, db: standaloneDbs[i]!, logger: logger.child({ service: s.name }) }),
    ]),
  ];
  const urls: Record<string, string> = {};
  const servers: SubgraphServer[] = [];
  for (const [name, offset, create] of subgraphs) {
    const server = await create(urls);
    servers.push(server);
    await server.start();
    const port = await server.listen(
      config.subgraphPortBase === 0 ? 0 : config.subgraphPortBase + offset,
      '127.0.0.1',
    );
    urls[name] = `http://127.0.0.1:${port}/graphql`;
    localRoutes?.register(urls[name]!, server);
  }

  const adminKey =
    config.adminKey ??
    (config.production ? undefined : `mg_admin_${randomBytes(24).toString('base64url')}`);
  const gateway = createGateway({
    config: {
      production: config.production,
      orgId: config.orgId,
      adminKey,
      supergraphPath: config.gateway.supergraphPath,
      subgraphUrls: urls,
      oidc: config.gateway.oidc,
      persistedQueries: config.gateway.persistedQueries,
      maxBodyBytes: config.gateway.maxBodyBytes,
      limits: config.gateway.limits,
      trustedDocuments: config.gateway.trustedDocuments,
      usage: config.gateway.usage,
    },
    kv,
    signer: await signer(ISSUERS.gateway),
    logger: logger.child({ service: 'gateway' }),
    processMetrics: true,
    localRoutes,
  });
  await gateway.start();
  const port = await gateway.listen(config.port, config.host);
  const localHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const gatewayUrl = `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`;
  testMode?.deliverTo(gatewayUrl);
  // The console's operations are its trusted documents (decision 91): published by the admin.
  if (consoleBuild && adminKey) {
    await publishConsoleDocuments({
      url: `${gatewayUrl}/graphql`,
      token: adminKey,
      version: consoleBuild.version,
    }).catch((error: unknown) =>
      logger.warn({ err: error }, 'the console documents could not be published'),
    );
  }

  const seeded = config.production ? null : await seedDemoTeam(policyDb, walletDb, kv);
  const demo = seeded && { ...seeded, credits: Number(DEMO_CREDITS / MICRO_CREDITS_PER_CREDIT) };
  printBanner({
    url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`,
    production: config.production,
    adminKey: config.adminKey ? undefined : adminKey,
    demo,
    testModePayments: testMode?.url,
    stores: `${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'} + ${config.redisUrl ? 'Redis' : 'in-process store'}`,
    seconds: (Date.now() - started) / 1000,
  });

  return async () => {
    // The gateway drains (the only door: requests in flight finish); the subgraphs behind it then
    // stop without a delay of their own, within what is left of the timeout.
    const drainStarted = Date.now();
    await gateway.stop(config.drain);
    for (const server of servers.reverse()) {
      const timeoutMs = Math.max(0, config.drain.timeoutMs - (Date.now() - drainStarted));
      await server.stop({ timeoutMs, delayMs: 0 });
    }
    await Promise.all(dbs.map((db) => db.close()));
    await Promise.all([
      kv.close(),
      rateLimiter.close(),
      inferenceLimiter.close(),
      streamLeases.close(),
      testMode?.close(),
    ]);
    await stopTracing();
  };
});
