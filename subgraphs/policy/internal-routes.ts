import type { InternalTokenVerifier } from '../../lib/auth/internal-token.js';
import { ROLE_SCOPES, type Principal } from '../../lib/auth/principal.js';
import type { Db } from '../../lib/db/index.js';
import type { Routes } from '../../lib/http/http-server.js';
import { internalRoute } from '../../lib/subgraph/internal-route.js';
import { createApiKeyStore } from './store/api-key-store.js';
import { createAuditStore } from './store/audit-store.js';
import { isUuid } from '../../lib/ids.js';

const isUuidText = (value: unknown): value is string => typeof value === 'string' && isUuid(value);
import { createTeamStore } from './store/team-store.js';

/** The paths the gateway calls to turn credentials into principals. */
export const INTERNAL_PATHS = {
  authenticateKey: '/internal/authenticate-key',
  userGrants: '/internal/user-grants',
  audit: '/internal/audit',
} as const;

const MAX_DENIALS = 50;
const text = (value: unknown, max: number) =>
  typeof value === 'string' ? value.slice(0, max) : null;

const HASH = /^[0-9a-f]{64}$/;

/**
 * The key store's service face: the gateway sends a key's hash (never the key) and gets the
 * principal it stands for, or null for unknown, revoked or expired keys.
 */
export function createInternalRoutes(
  db: Db,
  verifier: InternalTokenVerifier,
  orgId: string,
): Routes {
  return {
    [INTERNAL_PATHS.authenticateKey]: {
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
    // What the gateway saw: refusals (graphql-shield in any subgraph), one DENIED event per team
    // the caller acts in so each team's admins see them; and organization admins' mutations.
    [INTERNAL_PATHS.audit]: {
      POST: internalRoute(verifier, async (body) => {
        const denials = Array.isArray(body.denials) ? body.denials.slice(0, MAX_DENIALS) : [];
        const adminActions = Array.isArray(body.adminActions)
          ? body.adminActions.slice(0, MAX_DENIALS)
          : [];
        const audit = createAuditStore(db);
        let recorded = 0;
        // Organization admins' mutations in any subgraph: org-wide events (no team).
        for (const raw of adminActions as Array<Record<string, unknown>>) {
          await audit.append({
            teamId: null,
            actor: text(raw.actor, 200) ?? 'unknown',
            action: 'ADMIN_MUTATION',
            outcome: 'SUCCEEDED',
            targetType: 'Mutation',
            targetId: text(raw.field, 100),
            requestId: text(raw.requestId, 128) ?? 'unknown',
            details: { operation: text(raw.operation, 100) },
          });
          recorded += 1;
        }
        for (const raw of denials as Array<Record<string, unknown>>) {
          const teams = Array.isArray(raw.teamIds)
            ? (raw.teamIds as unknown[]).filter(isUuidText)
            : [];
          for (const teamId of teams.length ? teams : [null]) {
            await audit.append({
              teamId,
              actor: text(raw.actor, 200) ?? 'unknown',
              action: 'ACCESS_DENIED',
              outcome: 'DENIED',
              targetType: 'Operation',
              targetId: text(raw.path, 300),
              requestId: text(raw.requestId, 128) ?? 'unknown',
              details: { operation: text(raw.operation, 100), reason: text(raw.message, 300) },
            });
            recorded += 1;
          }
        }
        return { recorded };
      }),
    },
    [INTERNAL_PATHS.userGrants]: {
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
