import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import { REQUEST_ID_HEADER, requestIdFrom } from '../request-id.js';
import { SpanStatusCode, startServerSpan, withContext } from '../tracing/spans.js';
import { sendError } from './responses.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  logger: Logger;
  /**
   * Times this request (`httpDuration`) under `route` instead of its path's key: an event stream
   * lives for minutes and would swamp the latency of the path's plain requests.
   */
  timeAs(route: string): void;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void> | void;
/**
 * Handlers by path. A key is an exact path (`/graphql`), or a prefix ending in `/*`
 * (`/v1/models/*`) that matches every longer path under it; exact paths win, then the longest
 * prefix. The handler reads the rest of the path from `url.pathname`.
 */
export type Routes = Record<string, Partial<Record<'GET' | 'POST', RouteHandler>>>;

/** The route key that serves `pathname`: the exact path, else the longest matching `/*` prefix. */
export function matchRoute(routes: Routes, pathname: string): string | undefined {
  if (routes[pathname]) return pathname;
  let best: string | undefined;
  for (const key of Object.keys(routes)) {
    if (!key.endsWith('/*')) continue;
    const prefix = key.slice(0, -1);
    if (pathname.length > prefix.length && pathname.startsWith(prefix)) {
      if (!best || key.length > best.length) best = key;
    }
  }
  return best;
}

/**
 * The `status` label of a request whose client closed the connection before the response ended
 * (nginx's 499 "client closed request"), whatever status line was already sent.
 */
export const CLIENT_CLOSED_STATUS = '499';

export interface HttpService {
  server: Server;
  /**
   * What the server runs for each request; a co-located caller hands it requests without a
   * socket (lib/http/local-routes.ts).
   */
  handle: RequestListener;
  /** Listens and resolves with the bound port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Starts a drain: every response from now on (those in flight too, unless their head is sent)
   * says `connection: close`, so a keep-alive client opens its next connection elsewhere.
   */
  beginDrain(): void;
  /** Whether a drain has begun (readiness answers 503 then). */
  isDraining(): boolean;
  /**
   * Stops listening and closes idle connections, lets requests in flight finish for up to
   * `graceMs`, then cuts what is left. @default graceMs 0: cut at once
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * A plain node:http server over a fixed route table: every response carries the request id, every
 * request is timed into `metrics.httpDuration` (status 499 when the client left before its end)
 * and runs in a server span continuing the caller's trace (W3C `traceparent`), and a handler that
 * throws yields a coded 500 without a stack.
 */
export function createHttpService(options: {
  /** The service's name, on its server spans (several services may share a process). */
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  routes: Routes;
}): HttpService {
  const { logger, metrics, routes } = options;
  let draining = false;
  // Responses whose head is not sent yet: a drain marks them `connection: close`.
  const pending = new Set<ServerResponse>();
  const handle: RequestListener = (req, res) => {
    const started = process.hrtime.bigint();
    if (draining) res.setHeader('connection', 'close');
    else {
      pending.add(res);
      res.once('close', () => pending.delete(res));
    }
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const routeKey = matchRoute(routes, url.pathname);
    const route = routeKey ? routes[routeKey] : undefined;
    let routeLabel = routeKey ?? 'unmatched';
    const traced = startServerSpan(`${req.method} ${routeLabel}`, req.headers, {
      'http.request.method': req.method ?? '',
      'http.route': routeLabel,
      'url.path': url.pathname,
      'modelgraph.service': options.service,
      'modelgraph.request_id': requestId,
    });
    const timed = (status: string) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ route: routeLabel, status }, seconds);
      traced.span.setAttribute('http.response.status_code', Number(status));
      if (Number(status) >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
      withContext(traced.context, () =>
        logger.debug(
          { requestId, method: req.method, route: routeLabel, status, ms: seconds * 1000 },
          'request',
        ),
      );
      traced.span.end();
    };
    res.on('finish', () => timed(String(res.statusCode)));
    // The client went before the response ended (a stream it left, mostly): counted too.
    res.on('close', () => {
      if (!res.writableFinished) timed(CLIENT_CLOSED_STATUS);
    });

    withContext(traced.context, () =>
      serve(req, res, url, requestId, route, (label) => {
        routeLabel = label;
      }),
    );
  };
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    route: Routes[string] | undefined,
    timeAs: (label: string) => void,
  ) => {
    const handler = route?.[req.method as 'GET' | 'POST'];
    if (!route) return sendError(res, 404, 'NOT_FOUND', `No route ${url.pathname}.`);
    if (!handler) {
      res.setHeader('allow', Object.keys(route).join(', '));
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here.`);
    }
    const requestLogger = logger.child({ requestId });
    Promise.resolve(handler({ req, res, url, requestId, logger: requestLogger, timeAs })).catch(
      (error: unknown) => {
        requestLogger.error({ err: error, route: url.pathname }, 'request failed');
        if (!res.headersSent)
          sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
        else res.destroy();
      },
    );
  };
  const server = createServer(handle);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    handle,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    beginDrain() {
      draining = true;
      for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
      pending.clear();
    },
    isDraining: () => draining,
    close: (graceMs = 0) =>
      new Promise((resolve) => {
        draining = true;
        let timer: NodeJS.Timeout | undefined;
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        if (graceMs > 0) timer = setTimeout(() => server.closeAllConnections(), graceMs).unref();
        else server.closeAllConnections();
      }),
  };
}
