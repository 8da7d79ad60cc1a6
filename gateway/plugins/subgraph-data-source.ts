import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { STATUS_CODES } from 'node:http';
import type { Histogram } from 'prom-client';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { codedClientError } from './subgraph-client-error.js';
import type { LocalRoutes } from '../../lib/http/local-routes.js';
import { REQUEST_ID_HEADER } from '../../lib/request-id.js';
import { injectTraceHeaders } from '../../lib/tracing/spans.js';
import type { GatewayContext } from '../context.js';

/** Statuses whose Fetch Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/** What a connection lost before any answer leaves as fetch's cause (undici, node:net). */
const LOST_BEFORE_ANSWER = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

const isMutation = (body: RequestInit['body']) =>
  typeof body === 'string' && /"query"\s*:\s*"\s*mutation\b/.test(body);

/**
 * fetch, tried again once when the connection failed before any answer. A replica that drains
 * closes its idle keep-alive connections, and a request can leave on one as it closes (the
 * HTTP keep-alive race): the subgraph never read it. A refused connection is always retried; a
 * connection closed under a mutation is not, since we cannot know the request was unread.
 */
async function fetchRetryingUnread(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = String(((error as Error).cause as { code?: unknown } | undefined)?.code ?? '');
    const unread =
      code === 'ECONNREFUSED' || (LOST_BEFORE_ANSWER.has(code) && !isMutation(init.body));
    if (!unread || init.signal?.aborted) throw error;
    return fetch(url, init);
  }
}

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
    if (!answer) return fetchRetryingUnread(url, init);
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

  /**
   * A subgraph's refusal before execution (an HTTP 4xx with a coded client error, e.g. a variable
   * its scalar refused) passes through with its code and message, not as Apollo Gateway's
   * `extensions.response` wrapper, which carried the subgraph's stack and read as a fault.
   */
  override async errorFromResponse(response: FetcherResponse) {
    const fallback = () => super.errorFromResponse(response);
    if (response.status < 400 || response.status >= 500) return fallback();
    const coded = codedClientError(await response.clone().text());
    return coded ?? fallback();
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
