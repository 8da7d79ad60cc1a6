import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../lib/logging.js';
import type { PolicyClient } from '../auth/policy-client.js';
import type { GatewayContext } from '../context.js';

/**
 * Every FORBIDDEN the gateway returns, whichever subgraph's shield decided it, is sent to the
 * policy subgraph's audit log after the response is on its way. A failure to record is logged,
 * never turned into a failed request.
 */
export function createDenialAuditPlugin(
  policy: PolicyClient,
  logger: Logger,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operationName }) {
          if (response.body.kind !== 'single') return;
          const denied = (response.body.singleResult.errors ?? []).filter(
            (e) => e.extensions?.code === 'FORBIDDEN',
          );
          if (denied.length === 0 || !contextValue.principal) return;
          const { principal, requestId } = contextValue;
          const denials = denied.map((error) => ({
            actor: principal.id,
            teamIds: principal.teams.map((t) => t.id),
            requestId,
            operation: operationName ?? null,
            path: error.path?.join('.') ?? null,
            message: error.message,
          }));
          policy.auditDenials(denials, requestId).catch((error: unknown) => {
            logger.warn({ err: error, requestId }, 'could not record denials in the audit log');
          });
        },
      };
    },
  };
}
