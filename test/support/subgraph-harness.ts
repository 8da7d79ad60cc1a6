import type { Principal } from '../../lib/auth/principal.js';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import type { SubgraphServer } from '../../lib/subgraph/subgraph-server.js';
import { gql, type GraphQLResponse, type RequestOptions } from './graphql-client.js';
import type { TestKeys } from './identities.js';
import type { Operation } from './typed-document.js';

export interface RunningSubgraph {
  url: string;
  /** Sends an operation as `principal`, with a token signed as the gateway would. */
  as(
    principal: Principal,
  ): <D = unknown, V = Record<string, unknown>>(
    operation: Operation<D, V>,
    options?: RequestOptions<V>,
  ) => Promise<GraphQLResponse<D>>;
  stop(): Promise<void>;
}

/** Starts a built subgraph on a free port, for subgraph-level tests over real HTTP. */
export async function runSubgraph(
  server: SubgraphServer,
  keys: TestKeys,
): Promise<RunningSubgraph> {
  await server.start();
  const port = await server.listen(0);
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    as:
      (principal) =>
      async (operation, options = {}) => {
        const token = await keys.signer.sign(principal, 'test-request-0001');
        return gql(url, operation, {
          ...options,
          headers: { [INTERNAL_TOKEN_HEADER]: token, ...options.headers },
        });
      },
    stop: () => server.stop(),
  };
}
