import type { ApolloServerPlugin } from '@apollo/server';
import { clientIdentityOf } from '../clients/client-identity.js';
import type { GatewayContext } from '../context.js';
import type { UsageRecorder } from './usage-recorder.js';

/**
 * Counts every operation Apollo runs (/graphql queries and mutations, and /v1's operations) for
 * field usage, once it is about to execute: refused and invalid operations are not counted.
 */
export function createUsagePlugin(usage: UsageRecorder): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ schema, document, operation, queryHash, request }) {
          const headers = request.http?.headers;
          usage.record({
            schema,
            document,
            operation,
            hash: queryHash,
            client: clientIdentityOf({
              'apollographql-client-name': headers?.get('apollographql-client-name'),
              'apollographql-client-version': headers?.get('apollographql-client-version'),
            }),
          });
        },
      };
    },
  };
}
