import type { Principal, TeamGrant } from '../../lib/auth/principal.js';
import type { UsageBatch } from '../../lib/policy/usage-batch.js';
import type { ServiceClient } from '../../lib/service-client.js';
import { POLICY_INTERNAL_PATHS } from '../../subgraphs/policy/internal-routes.js';

/** The gateway's own identity when it calls the policy subgraph's internal endpoints. */
export const GATEWAY_PRINCIPAL: Principal = {
  id: 'service:gateway',
  kind: 'SERVICE',
  orgId: 'default',
  roles: [],
  scopes: [],
  teams: [],
};

/** The gateway's own token is reused this long. */
export const GATEWAY_TOKEN_REUSE_MS = 20_000;
/** How long the gateway waits for policy's key store. */
export const GATEWAY_SERVICE_TIMEOUT_MS = 5_000;

/** An operation (or part of one) the platform refused. */
export interface DeniedOperation {
  actor: string;
  teamIds: string[];
  requestId: string;
  operation: string | null;
  path: string | null;
  message: string;
}

/** A top-level mutation field an organization admin ran. */
export interface AdminAction {
  actor: string;
  field: string;
  requestId: string;
  operation: string | null;
}

/** A trusted document's body (null: nobody registered it) and whether the client did. */
export interface DocumentLookup {
  body: string | null;
  registeredForClient: boolean;
}

export interface KeyLookup {
  principal: Principal | null;
  expiresAt: string | null;
}

/**
 * Calls the policy subgraph's key store (subgraphs/policy/internal-routes.ts) through the
 * platform's service client, as GATEWAY_PRINCIPAL. The URL is read per call: the supergraph may
 * move policy.
 */
export function createPolicyClient(policyGraphqlUrl: () => string, client: ServiceClient) {
  const post = async <T>(path: string, body: unknown, requestId: string): Promise<T> =>
    client.post<T>(new URL(path, policyGraphqlUrl()).toString(), body, requestId);
  return {
    authenticateKey: (hash: string, requestId: string) =>
      post<KeyLookup>(POLICY_INTERNAL_PATHS.authenticateKey, { hash }, requestId),
    /** Reports refusals and admin actions for the audit log (the gateway does not wait on it). */
    audit: (
      events: { denials: DeniedOperation[]; adminActions: AdminAction[] },
      requestId: string,
    ) => post<{ recorded: number }>(POLICY_INTERNAL_PATHS.audit, events, requestId),
    /** A trusted document by id, for a client name (decision 81). */
    trustedDocument: (id: string, clientName: string, requestId: string) =>
      post<DocumentLookup>(POLICY_INTERNAL_PATHS.trustedDocument, { id, clientName }, requestId),
    /** Adds a batch of operation counts to field usage (gateway/usage/usage-recorder.ts). */
    reportUsage: (batch: UsageBatch, requestId: string) =>
      post<{ recorded: number }>(POLICY_INTERNAL_PATHS.usage, batch, requestId),
    userGrants: (subject: string, requestId: string) =>
      post<{ teams: TeamGrant[] }>(POLICY_INTERNAL_PATHS.userGrants, { subject }, requestId),
  };
}

export type PolicyClient = ReturnType<typeof createPolicyClient>;
