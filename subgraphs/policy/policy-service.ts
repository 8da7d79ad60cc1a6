import {
  GRANTS_CACHE_TTL_MS,
  NO_PRINCIPAL,
  REVOCATION_MARKER_TTL_MS,
  STALE_GRANTS,
  credentialCacheKey,
  generateApiKey,
} from '../../lib/auth/api-key.js';
import { hasScope, isOrgAdmin, type Principal, type TeamRole } from '../../lib/auth/principal.js';
import type { Db } from '../../lib/db/index.js';
import { badUserInput, conflict, forbidden, notFound } from '../../lib/errors.js';
import type { Kv } from '../../lib/kv/index.js';
import { createApiKeyStore } from './store/api-key-store.js';
import type { ApiKeyRow, MemberRow, TeamRow } from './store/rows.js';
import { createTeamStore } from './store/team-store.js';
import { assertUuid, checkName, checkScopes, checkUserId } from './validation.js';

/** Ranks roles so a team admin cannot hand out a role above their own. */
const ROLE_RANK: Record<TeamRole, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/**
 * Policy writes. Authorization beyond "may administer this team" (which shield checks) lives here:
 * a key's scopes and a member's role never exceed the granter's own.
 */
export function createPolicyService(db: Db, kv: Kv, now: () => Date) {
  const requireTeam = async (teamId: string) => {
    assertUuid(teamId, 'teamId');
    const [team] = await createTeamStore(db).byIds([teamId]);
    if (!team) throw notFound('Team', teamId);
    return team;
  };

  return {
    async createTeam(principal: Principal, name: string): Promise<TeamRow> {
      const team = await createTeamStore(db).insert(checkName(name), principal.id);
      if (!team) throw conflict(`A team named "${name.trim()}" already exists.`, { field: 'name' });
      return team;
    },

    /**
     * Adds a person or changes their role. Neither the new role nor the person's current one may
     * outrank the granter's (an ADMIN cannot demote an OWNER); API keys do not manage people.
     */
    async addTeamMember(
      principal: Principal,
      teamId: string,
      userId: string,
      role: TeamRole,
    ): Promise<MemberRow> {
      await requireTeam(teamId);
      const granterRole = principal.teams.find((t) => t.id === teamId)?.role;
      if (!isOrgAdmin(principal) && granterRole == null) {
        throw forbidden(
          'Only people (not API keys) with policy:admin in the team manage its members.',
        );
      }
      const member = await db.transaction(async (tx) => {
        const teams = createTeamStore(tx);
        const current = await teams.lockMember(teamId, checkUserId(userId));
        if (!isOrgAdmin(principal) && granterRole) {
          const outranked = [role, current?.role].filter(
            (r): r is TeamRole => r !== undefined && ROLE_RANK[r] > ROLE_RANK[granterRole],
          );
          if (outranked.length) {
            throw forbidden(`You cannot grant or change a role above your own (${granterRole}).`);
          }
        }
        return teams.upsertMember(teamId, userId, role);
      });
      // A marker, not a delete: a gateway filling the cache from an older read cannot land after it.
      await kv.set(credentialCacheKey.user(member.userId), STALE_GRANTS, {
        ttlMs: GRANTS_CACHE_TTL_MS,
      });
      return member;
    },

    async createApiKey(
      principal: Principal,
      input: { teamId: string; name: string; scopes: readonly string[]; expiresAt?: Date | null },
    ): Promise<{ apiKey: ApiKeyRow; secret: string }> {
      await requireTeam(input.teamId);
      const scopes = checkScopes(input.scopes);
      const beyond = scopes.filter((scope) => !hasScope(principal, scope, input.teamId));
      if (beyond.length)
        throw forbidden(`You cannot grant scopes you do not hold: ${beyond.join(', ')}.`);
      if (input.expiresAt && input.expiresAt.getTime() <= now().getTime()) {
        throw badUserInput('expiresAt must be in the future.', { field: 'expiresAt' });
      }
      const key = generateApiKey();
      const apiKey = await createApiKeyStore(db).insert({
        teamId: input.teamId,
        name: checkName(input.name),
        prefix: key.prefix,
        hash: key.hash,
        scopes,
        createdBy: principal.id,
        expiresAt: input.expiresAt ?? null,
      });
      return { apiKey, secret: key.secret };
    },

    /** Revokes a key and drops it from the gateways' shared cache, so it stops working at once. */
    async revokeApiKey(principal: Principal, id: string): Promise<ApiKeyRow> {
      assertUuid(id, 'id');
      const revoked = await db.transaction(async (tx) => {
        const keys = createApiKeyStore(tx);
        const key = await keys.lockWithHash(id);
        if (!key) throw notFound('API key', id);
        if (!hasScope(principal, 'policy:admin', key.teamId)) {
          throw forbidden('Revoking a key needs policy:admin in its team.');
        }
        return { row: await keys.revoke(id), hash: key.hash };
      });
      await kv.set(credentialCacheKey.apiKey(revoked.hash), NO_PRINCIPAL, {
        ttlMs: REVOCATION_MARKER_TTL_MS,
      });
      return revoked.row;
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
