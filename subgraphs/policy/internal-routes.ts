import type { InternalTokenVerifier } from '../../lib/auth/internal-token.js';
import { ROLE_SCOPES, type Principal } from '../../lib/auth/principal.js';
import type { Db } from '../../lib/db/index.js';
import type { Routes } from '../../lib/http/http-server.js';
import { internalRoute } from '../../lib/subgraph/internal-route.js';
import type { FieldUsageService } from './service/field-usage.js';
import { recordGatewayEvents } from './service/gateway-events.js';
import { createApiKeyStore } from './store/api-key-store.js';
import { createTrustedDocumentStore } from './store/trusted-document-store.js';
import { createTeamStore } from './store/team-store.js';

/** The paths the gateway calls to turn credentials into principals. */
export const POLICY_INTERNAL_PATHS = {
  authenticateKey: '/internal/authenticate-key',
  userGrants: '/internal/user-grants',
  audit: '/internal/audit',
  trustedDocument: '/internal/trusted-document',
  usage: '/internal/usage',
} as const;

const HASH = /^[0-9a-f]{64}$/;
/** A usage batch of 1,000 counts and operations with their coordinates fits with room. */
const USAGE_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * The key store's service face: the gateway sends a key's hash (never the key) and gets the
 * principal it stands for, or null for unknown, revoked or expired keys.
 */
export function createPolicyInternalRoutes(
  db: Db,
  verifier: InternalTokenVerifier,
  orgId: string,
  usage: Pick<FieldUsageService, 'recordUsage'>,
): Routes {
  return {
    [POLICY_INTERNAL_PATHS.authenticateKey]: {
      POST: internalRoute(verifier, async (body) => {
        const hash = typeof body.hash === 'string' && HASH.test(body.hash) ? body.hash : null;
        const key = hash ? await createApiKeyStore(db).authenticate(hash) : undefined;
        if (!key) return { principal: null, expiresAt: null };
        const principal: Principal = {
          id: `key:${key.id}`,
          kind: 'API_KEY',
          orgId,
          roles: [],
          scopes: [],
          teams: [{ id: key.teamId, role: null, scopes: key.scopes }],
        };
        return { principal, expiresAt: key.expiresAt?.toISOString() ?? null };
      }),
    },
    [POLICY_INTERNAL_PATHS.audit]: {
      POST: internalRoute(verifier, async (body, claims) => ({
        recorded: await recordGatewayEvents(db, body, claims.principal.id),
      })),
    },
    // The gateway resolves a trusted document's id (decision 81); body null: nobody registered it.
    [POLICY_INTERNAL_PATHS.trustedDocument]: {
      POST: internalRoute(verifier, async (body) => {
        const id = typeof body.id === 'string' && HASH.test(body.id) ? body.id : null;
        const clientName = typeof body.clientName === 'string' ? body.clientName : '';
        const found = id ? await createTrustedDocumentStore(db).lookup(id, clientName) : undefined;
        return found ?? { body: null, registeredForClient: false };
      }),
    },
    [POLICY_INTERNAL_PATHS.usage]: {
      POST: internalRoute(verifier, (body) => usage.recordUsage(body), {
        bodyLimitBytes: USAGE_BODY_LIMIT,
      }),
    },
    [POLICY_INTERNAL_PATHS.userGrants]: {
      POST: internalRoute(verifier, async (body) => {
        const subject = typeof body.subject === 'string' ? body.subject : '';
        const memberships = subject ? await createTeamStore(db).membershipsOf(subject) : [];
        return {
          teams: memberships.map((m) => ({
            id: m.teamId,
            role: m.role,
            scopes: [...ROLE_SCOPES[m.role]],
          })),
        };
      }),
    },
  };
}
