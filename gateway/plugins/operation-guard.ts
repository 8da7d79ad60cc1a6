import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, visit, type DocumentNode, type GraphQLError } from 'graphql';
import { isOrgAdmin } from '../../lib/auth/principal.js';
import { forbidden, withHttpStatus } from '../../lib/errors.js';
import { perDocument } from '../../lib/graphql/document-cache.js';
import { createOperationLabeler } from '../../lib/metrics.js';
import type { GatewayContext } from '../context.js';
import { refuseNulBytes } from './nul-bytes.js';

/** Whether the document asks for `__schema` or `__type` anywhere (once per parsed document). */
export const introspects = perDocument((document: DocumentNode): boolean => {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
});

/**
 * Once an operation is resolved: labels it for metrics and logs, refuses NUL bytes in its strings,
 * and in production refuses schema introspection to anyone but organization admins (`__typename`
 * stays allowed). A refusal here carries its HTTP status: Apollo Server answers 500 otherwise.
 */
export function createOperationGuardPlugin(options: {
  production: boolean;
}): ApolloServerPlugin<GatewayContext> {
  const label = createOperationLabeler();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName, document, request }) {
          contextValue.operationLabel = label(operationName);
          if (options.production && !isOrgAdmin(contextValue.principal) && introspects(document)) {
            const refusal = forbidden(
              'Introspection is only for organization admins in production.',
            );
            throw withHttpStatus(refusal, 403);
          }
          try {
            refuseNulBytes(document, request.variables);
          } catch (error) {
            throw withHttpStatus(error as GraphQLError, 400);
          }
        },
      };
    },
  };
}
