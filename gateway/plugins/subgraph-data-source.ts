import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { Histogram } from 'prom-client';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { REQUEST_ID_HEADER } from '../../lib/request-id.js';
import type { GatewayContext } from '../context.js';

/** Node's fetch (undici) keeps connections to subgraphs alive and pooled. */
const keepAliveFetcher = ((url: string, init?: RequestInit) =>
  fetch(url, init)) as unknown as Fetcher;

/**
 * Every subgraph fetch carries the request's internal token and request id, and is timed into the
 * subgraph-fetch histogram by subgraph and operation.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly fetchDuration: Histogram<'subgraph' | 'operation'>,
  ) {
    super({ url, fetcher: keepAliveFetcher });
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const context = options.context as Partial<GatewayContext>;
    const headers = options.request.http?.headers;
    if (!headers || !context.internalToken) return;
    headers.set(INTERNAL_TOKEN_HEADER, await context.internalToken());
    if (context.requestId) headers.set(REQUEST_ID_HEADER, context.requestId);
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
