import {
  GRANTS_CACHE_TTL_MS,
  NO_PRINCIPAL,
  REVOCATION_MARKER_TTL_MS,
  STALE_GRANTS,
  credentialCacheKey,
  generateApiKey,
} from '../../lib/auth/api-key.js';
import { hasScope, isOrgAdmin, type Principal, type TeamRole } from '../../lib/auth/principal.js';
import type { Db, Queryable } from '../../lib/db/index.js';
import { badUserInput, conflict, forbidden, notFound } from '../../lib/errors.js';
import type { Kv } from '../../lib/kv/index.js';
import { createApiKeyStore } from './store/api-key-store.js';
import { createAuditStore, type NewAuditEvent } from './store/audit-store.js';
import type { ApiKeyRow, MemberRow, TeamRow } from './store/rows.js';
import { createQuotaStore, type QuotaRow } from './store/quota-store.js';
import { createTeamStore } from './store/team-store.js';
import { assertUuid } from '../../lib/ids.js';
import { checkName, checkScopes, checkUserId } from './validation.js';

/** Ranks roles so a team admin cannot hand out (or take away) a role above their own. */
const ROLE_RANK: Record<TeamRole, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** Who is asking, for authorization and for the audit log. */
export interface Caller {
  principal: Principal;
  requestId: string;
}

type Audit = Omit<NewAuditEvent, 'actor' | 'requestId' | 'outcome'>;

/**
 * Policy writes. Authorization beyond "may administer this team" (which shield checks) lives here:
 * a key's scopes and a member's role never exceed the granter's own. Every change is written to
 * the audit log in the same transaction; every refusal here is written as DENIED.
 */
export function createPolicyService(db: Db, kv: Kv, now: () => Date) {
  const requireTeam = async (teamId: string) => {
    assertUuid(teamId, 'teamId');
    const [team] = await createTeamStore(db).byIds([teamId]);
    if (!team) throw notFound('Team', teamId);
    return team;
  };

  const record = (q: Queryable, caller: Caller, event: Audit, outcome: 'SUCCEEDED' | 'DENIED') =>
    createAuditStore(q).append({
      ...event,
      actor: caller.principal.id,
      requestId: caller.requestId,
      outcome,
    });

  /** Runs a change and its audit event in one transaction; a FORBIDDEN refusal is recorded. */
  const audited = async <T>(
    caller: Caller,
    denied: Audit,
    change: (tx: Queryable) => Promise<{ result: T; event: Audit }>,
  ): Promise<T> => {
    try {
      return await db.transaction(async (tx) => {
        const { result, event } = await change(tx);
        await record(tx, caller, event, 'SUCCEEDED');
        return result;
      });
    } catch (error) {
      if ((error as { extensions?: { code?: string } }).extensions?.code === 'FORBIDDEN') {
        await record(
          db,
          caller,
          { ...denied, details: { ...denied.details, reason: (error as Error).message } },
          'DENIED',
        );
      }
      throw error;
    }
  };

  /** Refuses to touch a member who outranks the caller (org admins excepted). */
  const assertOutranks = (
    caller: Caller,
    teamId: string,
    ...roles: Array<TeamRole | undefined>
  ) => {
    if (isOrgAdmin(caller.principal)) return;
    const own = caller.principal.teams.find((t) => t.id === teamId)?.role;
    if (own == null) {
      throw forbidden(
        'Only people (not API keys) with policy:admin in the team manage its members.',
      );
    }
    if (roles.some((r) => r !== undefined && ROLE_RANK[r] > ROLE_RANK[own])) {
      throw forbidden(`You cannot grant, change or remove a role above your own (${own}).`);
    }
  };

  /** A marker, not a delete: a gateway filling the cache from an older read cannot land after it. */
  const invalidateGrants = (userId: string) =>
    kv.set(credentialCacheKey.user(userId), STALE_GRANTS, { ttlMs: GRANTS_CACHE_TTL_MS });

  return {
    async createTeam(caller: Caller, name: string): Promise<TeamRow> {
      const checked = checkName(name);
      return audited(
        caller,
        {
          teamId: null,
          action: 'TEAM_CREATED',
          targetType: 'Team',
          targetId: null,
          details: { name: checked },
        },
        async (tx) => {
          const team = await createTeamStore(tx).insert(checked, caller.principal.id);
          if (!team) throw conflict(`A team named "${checked}" already exists.`, { field: 'name' });
          return {
            result: team,
            event: {
              teamId: team.id,
              action: 'TEAM_CREATED',
              targetType: 'Team',
              targetId: team.id,
              details: { name: checked },
            },
          };
        },
      );
    },

    /**
     * Adds a person or changes their role. Neither the new role nor the person's current one may
     * outrank the granter's (an ADMIN cannot demote an OWNER); API keys do not manage people.
     */
    async addTeamMember(
      caller: Caller,
      teamId: string,
      userId: string,
      role: TeamRole,
    ): Promise<MemberRow> {
      await requireTeam(teamId);
      const user = checkUserId(userId);
      const target = { teamId, targetType: 'TeamMember', targetId: user };
      const member = await audited(
        caller,
        { ...target, action: 'MEMBER_ROLE_SET', details: { role } },
        async (tx) => {
          const teams = createTeamStore(tx);
          const current = await teams.lockMember(teamId, user);
          assertOutranks(caller, teamId, role, current?.role);
          return {
            result: await teams.upsertMember(teamId, user, role),
            event: {
              ...target,
              action: 'MEMBER_ROLE_SET',
              details: { role, previousRole: current?.role ?? null },
            },
          };
        },
      );
      await invalidateGrants(member.userId);
      return member;
    },

    /** Removes a person from a team; they lose its grants on their next request. */
    async removeTeamMember(caller: Caller, teamId: string, userId: string): Promise<MemberRow> {
      await requireTeam(teamId);
      const user = checkUserId(userId);
      const target = { teamId, targetType: 'TeamMember', targetId: user };
      const removed = await audited(
        caller,
        { ...target, action: 'MEMBER_REMOVED', details: {} },
        async (tx) => {
          const teams = createTeamStore(tx);
          const current = await teams.lockMember(teamId, user);
          if (!current) throw notFound('Team member', user);
          assertOutranks(caller, teamId, current.role);
          await teams.removeMember(teamId, user);
          return {
            result: current,
            event: { ...target, action: 'MEMBER_REMOVED', details: { role: current.role } },
          };
        },
      );
      await invalidateGrants(user);
      return removed;
    },

    async createApiKey(
      caller: Caller,
      input: { teamId: string; name: string; scopes: readonly string[]; expiresAt?: Date | null },
    ): Promise<{ apiKey: ApiKeyRow; secret: string }> {
      await requireTeam(input.teamId);
      const scopes = checkScopes(input.scopes);
      if (input.expiresAt && input.expiresAt.getTime() <= now().getTime()) {
        throw badUserInput('expiresAt must be in the future.', { field: 'expiresAt' });
      }
      const name = checkName(input.name);
      const denied = {
        teamId: input.teamId,
        action: 'API_KEY_CREATED',
        targetType: 'ApiKey',
        targetId: null,
        details: { name, scopes },
      };
      return audited(caller, denied, async (tx) => {
        const beyond = scopes.filter((scope) => !hasScope(caller.principal, scope, input.teamId));
        if (beyond.length)
          throw forbidden(`You cannot grant scopes you do not hold: ${beyond.join(', ')}.`);
        const key = generateApiKey();
        const apiKey = await createApiKeyStore(tx).insert({
          teamId: input.teamId,
          name,
          prefix: key.prefix,
          hash: key.hash,
          scopes,
          createdBy: caller.principal.id,
          expiresAt: input.expiresAt ?? null,
        });
        return {
          result: { apiKey, secret: key.secret },
          event: {
            ...denied,
            targetId: apiKey.id,
            details: {
              name,
              scopes,
              prefix: key.prefix,
              expiresAt: apiKey.expiresAt?.toISOString() ?? null,
            },
          },
        };
      });
    },

    /** Sets a team's rate limits (null: unlimited); the limiter applies them from the next request. */
    async setQuota(caller: Caller, quota: QuotaRow): Promise<QuotaRow> {
      await requireTeam(quota.teamId);
      for (const [field, value] of Object.entries(quota)) {
        if (
          field !== 'teamId' &&
          value !== undefined &&
          (!Number.isInteger(value) || (value as number) < 0)
        ) {
          throw badUserInput(`${field} must be a whole number of 0 or more.`, { field });
        }
      }
      const event = {
        teamId: quota.teamId,
        action: 'QUOTA_SET',
        targetType: 'Team',
        targetId: quota.teamId,
      };
      return audited(caller, { ...event, details: {} }, async (tx) => {
        await createQuotaStore(tx).set(quota);
        const { teamId: _team, ...limits } = quota;
        return { result: quota, event: { ...event, details: limits } };
      });
    },

    /** Revokes a key and drops it from the gateways' shared cache, so it stops working at once. */
    async revokeApiKey(caller: Caller, id: string): Promise<ApiKeyRow> {
      assertUuid(id, 'id');
      const [existing] = await createApiKeyStore(db).ofIds([id]);
      // To anyone but an org admin, an unknown id looks like another team's key: ids cannot be probed.
      if (!existing) {
        throw isOrgAdmin(caller.principal)
          ? notFound('API key', id)
          : forbidden('Revoking a key needs policy:admin in its team.');
      }
      const target = {
        teamId: existing.teamId,
        action: 'API_KEY_REVOKED',
        targetType: 'ApiKey',
        targetId: id,
        details: {},
      };
      const revoked = await audited(caller, target, async (tx) => {
        const keys = createApiKeyStore(tx);
        const key = await keys.lockWithHash(id);
        if (!key) throw notFound('API key', id);
        if (!hasScope(caller.principal, 'policy:admin', key.teamId)) {
          throw forbidden('Revoking a key needs policy:admin in its team.');
        }
        return {
          result: { row: await keys.revoke(id), hash: key.hash },
          event: { ...target, details: { prefix: key.prefix } },
        };
      });
      await kv.set(credentialCacheKey.apiKey(revoked.hash), NO_PRINCIPAL, {
        ttlMs: REVOCATION_MARKER_TTL_MS,
      });
      return revoked.row;
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
