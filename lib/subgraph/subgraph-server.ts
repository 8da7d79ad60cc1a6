import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { DocumentNode } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { IMiddlewareGenerator } from 'graphql-middleware';
import type { Principal } from '../auth/principal.js';
import { INTERNAL_TOKEN_HEADER, type InternalTokenVerifier } from '../auth/internal-token.js';
import { isDatabaseUnreachable } from '../db/unreachable.js';
import { createErrorFormatter } from '../errors.js';
import { createObservabilityPlugin } from '../graphql/plugins.js';
import { headerValue } from '../http/headers.js';
import { drainClock, type DrainOptions } from '../http/drain.js';
import { handleGraphQLRequest } from '../http/graphql-handler.js';
import { createHttpService, type HttpService, type Routes } from '../http/http-server.js';
import { sendError, sendJson, sendText } from '../http/responses.js';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import { createSubscriptionTransport } from './subscriptions-over-sse.js';

/** How long stop() lets open streams end by themselves before closing them. */
const STREAM_STOP_GRACE_MS = 5_000;

/** What every subgraph resolver and rule gets; each subgraph extends it with its loaders. */
export interface SubgraphBaseContext {
  principal: Principal;
  requestId: string;
  /** The service acting for `principal` on a delegated token (lib/auth/internal-token.ts). */
  actor?: string;
  logger: Logger;
  /** Subscriptions only: aborted when the client closes the connection. */
  signal?: AbortSignal;
}

/** What every subgraph factory (`createXSubgraph`) takes besides its own stores. */
export interface SubgraphBaseDeps {
  verifier: InternalTokenVerifier;
  logger: Logger;
  /** @default a fresh registry for the subgraph */
  metrics?: ServiceMetrics;
  production: boolean;
}

export interface SubgraphServerOptions<TContext extends SubgraphBaseContext> {
  name: string;
  typeDefs: DocumentNode;
  /** Typed by each subgraph's generated resolver types. */
  resolvers: object;
  /** The subgraph's graphql-shield rules (see lib/auth/shield-rules.ts). */
  permissions: IMiddlewareGenerator<unknown, unknown, unknown>;
  /** Adds per-request state (DataLoaders) to the base context. */
  buildContext(base: SubgraphBaseContext): TContext;
  verifier: InternalTokenVerifier;
  logger: Logger;
  metrics: ServiceMetrics;
  production: boolean;
  /** Throws when a store the subgraph needs is unreachable. */
  checkReady(): Promise<void>;
  /** Extra routes, such as internal endpoints; they check the internal token themselves. */
  routes?: Routes;
  /** Subscriptions over SSE: a heartbeat after this long without a write. @default 12_000 */
  streamHeartbeatMs?: number;
}

export interface SubgraphServer extends HttpService {
  start(): Promise<void>;
  /**
   * Lets open streams end (stopping those still open after a grace period with a terminal
   * SERVICE_UNAVAILABLE event), then stops. With `drain` (SIGTERM), it first answers not ready
   * and `connection: close` for the drain's delay, and requests in flight get until its deadline.
   */
  stop(drain?: DrainOptions): Promise<void>;
}

/**
 * One subgraph over HTTP: /graphql only for requests carrying a valid gateway-signed internal token
 * (401 otherwise), plus /healthz, /readyz and /metrics. Never listens by itself.
 */
export function createSubgraphServer<TContext extends SubgraphBaseContext>(
  options: SubgraphServerOptions<TContext>,
): SubgraphServer {
  const { logger, metrics, verifier, production } = options;
  const schema = applyMiddleware(
    buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as never }]),
    options.permissions,
  );
  const formatError = createErrorFormatter({
    production,
    isStoreUnavailable: isDatabaseUnreachable,
  });
  // Apollo Server runs queries and mutations; subscriptions (graphql-sse over one POST) run here.
  const streams = schema.getSubscriptionType()
    ? createSubscriptionTransport({
        schema,
        formatError,
        heartbeatMs: options.streamHeartbeatMs,
        metrics,
      })
    : undefined;
  const apollo = new ApolloServer<TContext>({
    schema,
    introspection: !production,
    // runService owns shutdown; Apollo's own signal handler would race it (and never exit).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !production,
    // A resolver whose database is unreachable answers SERVICE_UNAVAILABLE; the observability
    // plugin has logged the driver's error by then.
    formatError,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // No field carries a cache hint, and the default cache-control plugin would wrap every
      // field's resolver to read one (a hook per field on the paid path, issue 12).
      ApolloServerPluginCacheControlDisabled(),
      createObservabilityPlugin(metrics, logger) as never,
    ],
  });

  const routes: Routes = {
    ...options.routes,
    '/graphql': {
      POST: async (ctx) => {
        let claims;
        try {
          claims = await verifier.verify(headerValue(ctx.req.headers, INTERNAL_TOKEN_HEADER));
        } catch {
          return sendError(
            ctx.res,
            401,
            'UNAUTHENTICATED',
            'This subgraph only answers requests that come through the gateway.',
          );
        }
        const requestLogger = ctx.logger.child({ principalId: claims.principal.id });
        const context = async (signal?: AbortSignal) =>
          options.buildContext({
            principal: claims.principal,
            requestId: ctx.requestId,
            logger: requestLogger,
            ...(claims.actor ? { actor: claims.actor } : {}),
            ...(signal ? { signal } : {}),
          });
        if (streams && String(ctx.req.headers.accept ?? '').includes('text/event-stream')) {
          return streams.handle(ctx, context);
        }
        await handleGraphQLRequest(ctx, apollo, context);
      },
    },
    '/healthz': { GET: ({ res }) => sendJson(res, 200, { status: 'ok', service: options.name }) },
    '/readyz': {
      GET: async ({ res, logger: log }) => {
        // Draining: load balancers take this replica out at once.
        if (http.isDraining()) {
          return sendJson(res, 503, { status: 'draining', service: options.name });
        }
        try {
          await options.checkReady();
          sendJson(res, 200, { status: 'ready', service: options.name });
        } catch (error) {
          log.warn({ err: error }, 'not ready');
          sendJson(res, 503, { status: 'unavailable', service: options.name });
        }
      },
    },
    '/metrics': {
      GET: async ({ res }) =>
        sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType),
    },
  };
  const http = createHttpService({ service: options.name, logger, metrics, routes });

  return {
    ...http,
    start: () => apollo.start(),
    async stop(drain) {
      if (!drain) {
        await streams?.drain(STREAM_STOP_GRACE_MS);
        await http.close();
      } else {
        const clock = drainClock(drain);
        http.beginDrain();
        await clock.delay();
        await streams?.drain(Math.min(STREAM_STOP_GRACE_MS, clock.remaining()));
        await http.close(clock.remaining());
      }
      await apollo.stop();
    },
  };
}
