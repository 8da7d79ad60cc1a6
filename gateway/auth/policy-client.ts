import type { InternalTokenSigner } from '../../lib/auth/internal-token.js';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import type { Principal, TeamGrant } from '../../lib/auth/principal.js';

/** The gateway's own identity when it calls the policy subgraph's internal endpoints. */
export const GATEWAY_PRINCIPAL: Principal = {
  id: 'service:gateway',
  kind: 'SERVICE',
  orgId: 'default',
  roles: [],
  scopes: [],
  teams: [],
};

const TOKEN_REUSE_MS = 20_000;
const TIMEOUT_MS = 5_000;

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

export interface KeyLookup {
  principal: Principal | null;
  expiresAt: string | null;
}

/** Calls the policy subgraph's key store (see subgraphs/policy/internal-routes.ts). */
export function createPolicyClient(policyGraphqlUrl: () => string, signer: InternalTokenSigner) {
  let token: { value: string; until: number } | undefined;
  const serviceToken = async (requestId: string) => {
    if (!token || token.until < Date.now()) {
      token = {
        value: await signer.sign(GATEWAY_PRINCIPAL, requestId),
        until: Date.now() + TOKEN_REUSE_MS,
      };
    }
    return token.value;
  };
  const post = async <T>(path: string, body: unknown, requestId: string): Promise<T> => {
    const url = new URL(path, policyGraphqlUrl());
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        [INTERNAL_TOKEN_HEADER]: await serviceToken(requestId),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`policy ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    authenticateKey: (hash: string, requestId: string) =>
      post<KeyLookup>('/internal/authenticate-key', { hash }, requestId),
    /** Reports refusals and admin actions for the audit log (the gateway does not wait on it). */
    audit: (
      events: { denials: DeniedOperation[]; adminActions: AdminAction[] },
      requestId: string,
    ) => post<{ recorded: number }>('/internal/audit', events, requestId),
    userGrants: (subject: string, requestId: string) =>
      post<{ teams: TeamGrant[] }>('/internal/user-grants', { subject }, requestId),
  };
}

export type PolicyClient = ReturnType<typeof createPolicyClient>;
