import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import { isOrgAdmin, type Principal } from '../../lib/auth/principal.js';
import type { Logger } from '../../lib/logging.js';
import type { AdminAction, DeniedOperation, PolicyClient } from '../auth/policy-client.js';
import type { GatewayContext } from '../context.js';

/** One operation's answer, as the audit reads it. */
export interface AnsweredOperation {
  principal: Principal;
  requestId: string;
  operationName: string | null | undefined;
  operation: OperationDefinitionNode | null | undefined;
  errors: readonly GraphQLFormattedError[] | undefined;
}

/**
 * Sends to the policy subgraph's audit log, after the response is on its way: every FORBIDDEN the
 * gateway returns (whichever subgraph's shield decided it), and every mutation field an
 * organization admin ran successfully (catalog changes, grants, refunds, ...). Only field names
 * are recorded, never arguments (they may hold secrets). A failure to record is logged, never
 * turned into a failed request. Apollo's operations report through the plugin below; /v1's
 * operations sent straight to their subgraph (gateway/openai/direct-runner.ts) call it themselves.
 */
export function createAuditReporter(policy: PolicyClient, logger: Logger) {
  return ({ principal, requestId, operationName, operation, errors = [] }: AnsweredOperation) => {
    const denials: DeniedOperation[] = errors
      .filter((e) => e.extensions?.code === 'FORBIDDEN')
      .map((error) => ({
        actor: principal.id,
        teamIds: principal.teams.map((t) => t.id),
        requestId,
        operation: operationName ?? null,
        path: error.path?.join('.') ?? null,
        message: error.message,
      }));
    const adminActions: AdminAction[] = [];
    if (operation?.operation === 'mutation' && isOrgAdmin(principal)) {
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind !== 'Field') continue;
        const key = (selection.alias ?? selection.name).value;
        if (errors.some((e) => e.path?.[0] === key)) continue;
        adminActions.push({
          actor: principal.id,
          field: selection.name.value,
          requestId,
          operation: operationName ?? null,
        });
      }
    }
    if (denials.length === 0 && adminActions.length === 0) return;
    policy.audit({ denials, adminActions }, requestId).catch((error: unknown) => {
      logger.warn({ err: error, requestId }, 'could not record events in the audit log');
    });
  };
}

export type AuditReporter = ReturnType<typeof createAuditReporter>;

/** Reports every operation Apollo answers through `report`. */
export function createAuditReportPlugin(report: AuditReporter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operationName, operation }) {
          if (response.body.kind !== 'single' || !contextValue.principal) return;
          report({
            principal: contextValue.principal,
            requestId: contextValue.requestId,
            operationName,
            operation,
            errors: response.body.singleResult.errors,
          });
        },
      };
    },
  };
}
