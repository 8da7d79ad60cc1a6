import {
  GRANTS_CACHE_TTL_MS,
  STALE_GRANTS,
  credentialCacheKey,
} from '../../../lib/auth/api-key.js';
import { isOrgAdmin, type TeamRole } from '../../../lib/auth/principal.js';
import type { Db } from '../../../lib/db/index.js';
import { conflict, forbidden, notFound } from '../../../lib/errors.js';
import type { Kv } from '../../../lib/kv/index.js';
import type { MemberRow, TeamRow } from '../store/rows.js';
import { createTeamStore } from '../store/team-store.js';
import { requireTeam, type AuditTrail, type Caller } from './audit-trail.js';
import { checkName, checkUserId } from './validation.js';

/** Ranks roles so a team admin cannot hand out (or take away) a role above their own. */
const ROLE_RANK: Record<TeamRole, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/**
 * Teams and their members. A member's role never exceeds the granter's own; a change of
 * membership marks the person's cached grants stale, so gateways reload them on the next request.
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createTeamService(db: Db, kv: Kv, { audited }: AuditTrail) {
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
      await requireTeam(db, teamId);
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
      await requireTeam(db, teamId);
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
  };
}
