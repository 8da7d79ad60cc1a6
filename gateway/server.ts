import { randomUUID } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Agent, type Dispatcher } from 'undici';
import { reuseTokens, type InternalTokenSigner } from '../lib/auth/internal-token.js';
import { createErrorFormatter } from '../lib/errors.js';
import { createObservabilityPlugin } from '../lib/graphql/plugins.js';
import { drainClock, type DrainOptions } from '../lib/http/drain.js';
import { handleGraphQLRequest, readGraphQLBody } from '../lib/http/graphql-handler.js';
import { createHttpService, type RouteContext, type Routes } from '../lib/http/http-server.js';
import type { LocalRoutes } from '../lib/http/local-routes.js';
import { sendJson, sendText } from '../lib/http/responses.js';
import type { Kv } from '../lib/kv/index.js';
import type { Logger } from '../lib/logging.js';
import {
  SUBGRAPH_FETCH_BUCKETS,
  createCacheLookups,
  createServiceMetrics,
} from '../lib/metrics.js';
import { createServiceClient } from '../lib/service-client.js';
import { createApiKeyAuthenticator } from './auth/api-key-auth.js';
import { createAuthenticator } from './auth/authenticate.js';
import { authenticateRoute } from './auth/authenticate-route.js';
import { createConsoleSignIn } from './auth/console-sign-in.js';
import { createOidcAuthenticator } from './auth/oidc-auth.js';
import {
  GATEWAY_PRINCIPAL,
  GATEWAY_SERVICE_TIMEOUT_MS,
  GATEWAY_TOKEN_REUSE_MS,
  createPolicyClient,
} from './auth/policy-client.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { consoleRoutes } from './plugins/console.js';
import { explorerRoutes } from './plugins/explorer.js';
import { homeRoutes } from './plugins/home.js';
import { openAiRoutes } from './openai/routes.js';
import { PROVIDER_WEBHOOK_PATH, providerWebhookRoute } from './webhooks/provider-webhook.js';
import { checkoutReturnRoutes } from './billing/checkout-return.js';
import { STATEMENT_CSV_ROUTE, statementCsvRoute } from './billing/statement-download.js';
import { createOperationRunner } from './openai/run-operation.js';
import { createDirectRunner } from './openai/direct-runner.js';
import { SINGLE_SUBGRAPH_OPERATIONS } from './openai/operations.js';
import { subscriptionStream } from './openai/subscription-stream.js';
import type { Principal } from '../lib/auth/principal.js';
import { createAuditReportPlugin, createAuditReporter } from './plugins/audit-report.js';
import { createOperationGuardPlugin } from './plugins/operation-guard.js';
import { operationLimits } from './plugins/operation-limits.js';
import { persistedQueriesOption } from './persisted-queries/persisted-query-cache.js';
import { SubgraphDataSource, subgraphFetcher } from './plugins/subgraph-data-source.js';
import { createSubscriptionOpener } from './streaming/open-subscription.js';
import { createSubscriptionAcceptPlugin } from './streaming/subscription-accept-plugin.js';
import { streamProtocolOf } from './streaming/stream-protocol.js';
import { createSubscriptionRoute } from './streaming/subscription-route.js';
import { useScalarParsers } from './supergraph/scalar-parsers.js';
import { createDocumentRegistry } from './trusted-documents/document-registry.js';
import { sendDocumentRefusal } from './trusted-documents/send-refusal.js';
import { createTrustedDocuments } from './trusted-documents/trusted-documents.js';
import { createUsagePlugin } from './usage/usage-plugin.js';
import { createUsageRecorder } from './usage/usage-recorder.js';
import { staticSupergraph } from './supergraph/static-supergraph.js';

export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    | 'production'
    | 'orgId'
    | 'adminKey'
    | 'supergraphPath'
    | 'subgraphUrls'
    | 'oidc'
    | 'persistedQueries'
    | 'maxBodyBytes'
    | 'limits'
    | 'trustedDocuments'
    | 'usage'
  >;
  kv: Kv;
  signer: InternalTokenSigner;
  logger: Logger;
  /** Serve the offline GraphiQL explorer at /explorer. @default !production */
  explorer?: boolean;
  /** The web console's build, served at /console. @default console/dist (gateway/plugins/console.ts) */
  consoleDir?: string;
  /** Collect process metrics (one service per process should). @default false */
  processMetrics?: boolean;
  /** How often the supergraph file is checked for changes. @default 1000 */
  supergraphPollMs?: number;
  /** Where the gateway's own service calls (policy's key store) go; tests watch them. */
  serviceDispatcher?: Dispatcher;
  /**
   * Subgraphs in this process, which subgraph fetches and policy's key store reach without a
   * socket (lib/http/local-routes.ts). @default none: every call goes over HTTP
   */
  localRoutes?: LocalRoutes;
}

/** How long stop() waits for open streams to send their terminal frame. @default 2000 */
const SHUTDOWN_DRAIN_MS = 2_000;

/**
 * The gateway: authenticates every request, plans it over the static supergraph, and forwards a
 * signed internal token to each subgraph. Never listens by itself.
 */
export function createGateway(deps: GatewayDeps) {
  const { config, logger } = deps;
  // One token per caller for a while, not one ES256 signature per request.
  const signer = reuseTokens(deps.signer);
  const metrics = createServiceMetrics('gateway', { defaultMetrics: deps.processMetrics });
  const cacheLookups = createCacheLookups(metrics.registry);
  const fetchDuration = new Histogram({
    name: 'modelgraph_subgraph_fetch_duration_seconds',
    help: 'Duration of fetches from the gateway to subgraphs, by subgraph and operation name.',
    labelNames: ['subgraph', 'operation'],
    buckets: SUBGRAPH_FETCH_BUCKETS,
    registers: [metrics.registry],
  });

  // Where each subgraph lives: the supergraph's routing URL unless the environment overrides it.
  const subgraphs = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl: staticSupergraph(config.supergraphPath, logger, deps.supergraphPollMs),
    buildService: ({ name, url }) => {
      const resolved = config.subgraphUrls[name as keyof typeof config.subgraphUrls] ?? url;
      if (!resolved) throw new Error(`No URL for subgraph ${name}.`);
      subgraphs.set(name, resolved);
      return new SubgraphDataSource(name, resolved, fetchDuration, deps.localRoutes);
    },
    logger,
  });

  const services = createServiceClient({
    signer: deps.signer,
    principal: GATEWAY_PRINCIPAL,
    timeoutMs: GATEWAY_SERVICE_TIMEOUT_MS,
    tokenReuseMs: GATEWAY_TOKEN_REUSE_MS,
    dispatcher: deps.serviceDispatcher,
    localRoutes: deps.localRoutes,
  });
  const policy = createPolicyClient(() => {
    const url = subgraphs.get('policy');
    if (!url) throw new Error('The policy subgraph is not in the supergraph.');
    return url;
  }, services);
  // Field usage: counted here, kept by policy (decision 85).
  const usage = createUsageRecorder({
    settings: config.usage,
    send: (batch) => policy.reportUsage(batch, `usage-${randomUUID()}`),
    logger,
    registry: metrics.registry,
  });
  const apiKeys = createApiKeyAuthenticator({
    kv: deps.kv,
    policy,
    logger,
    lookups: cacheLookups,
  });
  const authenticate = createAuthenticator({
    adminKey: config.adminKey,
    orgId: config.orgId,
    apiKey: apiKeys,
    oidc:
      config.oidc &&
      createOidcAuthenticator(config.oidc, { kv: deps.kv, policy, logger, orgId: config.orgId }),
  });

  const limits = operationLimits(config.limits, { production: config.production });
  // Subscriptions take the gateway's own path (Apollo Gateway cannot run them): decision 58.
  const streamDispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const subscriptions = createSubscriptionOpener({
    limits,
    production: config.production,
    signer,
    subgraphUrl: (name) => subgraphs.get(name),
    dispatcher: streamDispatcher,
    lookups: cacheLookups,
    usage,
  });
  const formatError = createErrorFormatter({ production: config.production });
  const audit = createAuditReporter(policy, logger);
  gateway.onSchemaLoadOrUpdate((update) => {
    useScalarParsers(update.apiSchema);
    subscriptions.useSupergraph(update);
  });
  new Gauge({
    name: 'modelgraph_gateway_open_streams',
    help: 'Subscriptions the gateway is streaming now (/graphql and /v1).',
    registers: [metrics.registry],
    collect() {
      this.set(subscriptions.openCount);
    },
  });
  const subscriptionRoute = createSubscriptionRoute({
    openSubscription: subscriptions.openSubscription,
  });
  const unregisteredOperations = new Counter({
    name: 'modelgraph_gateway_unregistered_operations_total',
    help: 'Operations not registered as trusted documents for their client (log and require modes), by kind (query or id) and action (served, refused, exempt).',
    labelNames: ['kind', 'action'],
    registers: [metrics.registry],
  });
  const resolveDocument = createTrustedDocuments({
    mode: config.trustedDocuments.mode,
    registry: createDocumentRegistry({
      policy,
      kv: deps.kv,
      logger,
      lookups: cacheLookups,
      cacheBytes: config.trustedDocuments.cacheBytes,
      negativeTtlMs: config.trustedDocuments.negativeTtlMs,
    }),
    countUnregistered: (kind, action) => unregisteredOperations.inc({ kind, action }),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // Shared by every replica through the Kv, not Apollo's per-process default: decision 80.
    persistedQueries: persistedQueriesOption({
      kv: deps.kv,
      settings: config.persistedQueries,
      logger,
      registry: metrics.registry,
      lookups: cacheLookups,
    }),
    introspection: true, // guarded per principal by the operation guard in production
    // runService owns shutdown; Apollo's own signal handler would race it (and never exit).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    formatError,
    plugins: [
      ...(limits.plugins as never[]),
      createOperationGuardPlugin({ production: config.production }),
      createSubscriptionAcceptPlugin(),
      createAuditReportPlugin(audit),
      createUsagePlugin(usage),
      createObservabilityPlugin(metrics, logger) as never,
      // No subgraph sends cache hints; the default plugin would compute a policy per response.
      ApolloServerPluginCacheControlDisabled(),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });

  // /v1's single-subgraph operations skip Apollo's pipeline: decision 106.
  const direct = createDirectRunner({
    operations: SINGLE_SUBGRAPH_OPERATIONS,
    fallback: createOperationRunner(apollo),
    limits,
    subgraphUrl: (name) => subgraphs.get(name),
    fetcher: subgraphFetcher(deps.localRoutes),
    formatError,
    fetchDuration,
    operationDuration: metrics.operationDuration,
    usage,
    audit,
    lookups: cacheLookups,
  });
  gateway.onSchemaLoadOrUpdate((update) => direct.useSupergraph(update));

  /** What every operation of one request runs with, for /graphql and /v1 alike. */
  const contextFor = (principal: Principal, ctx: RouteContext): GatewayContext => {
    let token: Promise<string> | undefined;
    return {
      principal,
      requestId: ctx.requestId,
      logger: ctx.logger.child({ principalId: principal.id }),
      internalToken: () => (token ??= signer.sign(principal, ctx.requestId)),
      operationLabel: 'unresolved',
    };
  };

  const graphql = async (ctx: RouteContext) => {
    const wantsPage =
      ctx.req.method === 'GET' &&
      !ctx.url.searchParams.has('query') &&
      String(ctx.req.headers.accept ?? '').includes('text/html');
    if (wantsPage) {
      // Apollo answers with the landing page (or 400 in production) without running anything.
      return handleGraphQLRequest(ctx, apollo, () => Promise.reject(new Error('no operation')));
    }
    const principal = await authenticateRoute(authenticate, ctx);
    if (!principal) return;
    const method = ctx.req.method ?? 'GET';
    let body: unknown;
    if (method === 'POST') {
      const read = await readGraphQLBody(ctx.req, ctx.res, config.maxBodyBytes);
      if (!read) return;
      body = read.body;
    }
    const protocol = streamProtocolOf(ctx.req.headers.accept);
    // Trusted documents (decision 81): ids become their registered text, and what is not
    // registered for the client is logged or refused, for subscriptions and Apollo alike.
    const resolution = await resolveDocument({
      method,
      url: ctx.url,
      body,
      headers: ctx.req.headers,
      principal,
      requestId: ctx.requestId,
      logger: ctx.logger,
    });
    if (!('run' in resolution)) return sendDocumentRefusal(ctx.res, protocol, resolution);
    const request = { ...ctx, url: resolution.run.url };
    if (
      protocol &&
      (await subscriptionRoute.serve(request, principal, protocol, resolution.run.body))
    ) {
      return;
    }
    await handleGraphQLRequest(
      request,
      apollo,
      async () => contextFor(principal, ctx),
      config.maxBodyBytes,
      { body: resolution.run.body },
    );
  };

  // Ready means this process can serve: its supergraph is loaded. Redis is only its credential
  // cache (a miss or an outage asks policy), and each subgraph has its own readiness behind its
  // own Service: checking them here took every gateway out of the load balancer when one
  // subgraph or Redis was down, failing the fields that still worked (docs/decisions.md).
  const ready = async () => {
    if (subgraphs.size === 0) throw new Error('supergraph not loaded');
  };

  const openAi = openAiRoutes({
    authenticate,
    contextFor,
    run: direct.run,
    stream: subscriptionStream(subscriptions.openSubscription),
    maxBodyBytes: config.maxBodyBytes,
  });

  const withExplorer = deps.explorer ?? !config.production;
  const routes: Routes = {
    '/graphql': { GET: graphql, POST: graphql },
    '/healthz': { GET: ({ res }) => sendJson(res, 200, { status: 'ok', service: 'gateway' }) },
    '/readyz': {
      GET: async ({ res, logger: log }) => {
        // Draining: load balancers take this replica out at once.
        if (http.isDraining()) {
          return sendJson(res, 503, { status: 'draining', service: 'gateway' });
        }
        try {
          await ready();
          sendJson(res, 200, { status: 'ready', service: 'gateway' });
        } catch (error) {
          log.warn({ err: error }, 'not ready');
          sendJson(res, 503, {
            status: 'unavailable',
            service: 'gateway',
            reason: (error as Error).message,
          });
        }
      },
    },
    '/metrics': {
      GET: async ({ res }) =>
        sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType),
    },
    [PROVIDER_WEBHOOK_PATH]: {
      POST: providerWebhookRoute({ billingGraphqlUrl: () => subgraphs.get('billing'), services }),
    },
    [STATEMENT_CSV_ROUTE]: { GET: statementCsvRoute({ authenticate, contextFor, apollo }) },
    ...checkoutReturnRoutes(),
    ...openAi.routes,
    ...homeRoutes({ production: config.production, explorer: withExplorer }),
    ...(withExplorer ? explorerRoutes() : {}),
    ...consoleRoutes(deps.consoleDir, createConsoleSignIn(config.oidc, { logger })),
  };
  const http = createHttpService({ service: 'gateway', logger, metrics, routes });
  let stopping: Promise<void> | undefined;

  return {
    ...http,
    metrics,
    /**
     * Opens a subscription for an authenticated caller (the /v1 facade streams chat through it);
     * see OpenSubscription for how refusals and broken streams come back.
     */
    openSubscription: subscriptions.openSubscription,
    start: () => apollo.start(),
    /**
     * Graceful and idempotent: streams end first, then the server, Apollo and the pools. With
     * `drain` (SIGTERM), it first answers not ready and `connection: close` for the drain's delay,
     * and requests in flight get until its deadline.
     */
    stop(drain?: DrainOptions) {
      stopping ??= (async () => {
        const clock = drain && drainClock(drain);
        http.beginDrain();
        await clock?.delay();
        // Open streams end with a terminal SERVICE_UNAVAILABLE frame before the server closes.
        subscriptions.closeAll();
        const streamsGraceMs = clock
          ? Math.min(SHUTDOWN_DRAIN_MS, clock.remaining())
          : SHUTDOWN_DRAIN_MS;
        await Promise.all([
          subscriptionRoute.drained(streamsGraceMs),
          openAi.drained(streamsGraceMs),
        ]);
        await http.close(clock?.remaining());
        await apollo.stop();
        await usage.stop();
        await apiKeys.close();
        await services.close();
        await streamDispatcher.destroy();
      })();
      return stopping;
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
