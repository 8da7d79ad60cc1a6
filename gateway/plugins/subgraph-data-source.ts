import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { STATUS_CODES } from 'node:http';
import type { Histogram } from 'prom-client';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import type { LocalRoutes } from '../../lib/http/local-routes.js';
import { REQUEST_ID_HEADER } from '../../lib/request-id.js';
import { injectTraceHeaders } from '../../lib/tracing/spans.js';
import type { GatewayContext } from '../context.js';

/** Statuses whose Fetch Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * A subgraph in this process answers in process (lib/http/local-routes.ts), with the `accept`
 * that fetch would send; any other goes over Node's fetch (undici), which keeps connections alive
 * and pooled.
 */
export function subgraphFetcher(localRoutes?: LocalRoutes): Fetcher {
  return (async (url: string, init: RequestInit = {}) => {
    const headers: Record<string, string> = { accept: '*/*' };
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const answer = localRoutes?.call(
      url,
      { method: init.method ?? 'GET', headers, body: String(init.body ?? '') },
      init.signal ?? undefined,
    );
    if (!answer) return fetch(url, init);
    const { status, headers: answered, body } = await answer;
    return new Response(NO_BODY.has(status) ? null : body, {
      status,
      statusText: STATUS_CODES[status] ?? '',
      headers: answered,
    });
  }) as unknown as Fetcher;
}

/**
 * Every subgraph fetch carries the request's internal token, request id and trace context, and is
 * timed into the subgraph-fetch histogram by subgraph and operation.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly fetchDuration: Histogram<'subgraph' | 'operation'>,
    localRoutes?: LocalRoutes,
  ) {
    super({ url, fetcher: subgraphFetcher(localRoutes) });
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const context = options.context as Partial<GatewayContext>;
    const headers = options.request.http?.headers;
    if (!headers || !context.internalToken) return;
    headers.set(INTERNAL_TOKEN_HEADER, await context.internalToken());
    if (context.requestId) headers.set(REQUEST_ID_HEADER, context.requestId);
    // Apollo Gateway's `gateway.fetch` span is the active one: the subgraph continues under it.
    for (const [name, value] of Object.entries(injectTraceHeaders({}))) headers.set(name, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const started = process.hrtime.bigint();
    try {
      return await super.process(options);
    } finally {
      const operation = (options.context as Partial<GatewayContext>).operationLabel ?? 'none';
      this.fetchDuration.observe(
        { subgraph: this.subgraph, operation },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  }
}
