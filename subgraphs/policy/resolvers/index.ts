import { DEFAULT_DATA_CLASS } from '../../../lib/policy/data-classes.js';
import { isOrgAdmin, teamIdsOf } from '../../../lib/auth/principal.js';
import { badUserInput, forbidden } from '../../../lib/errors.js';
import { decideAccess } from '../access-decision.js';
import { DateTimeScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { assertUuid } from '../../../lib/ids.js';
import { auditConnection } from './audit-log.js';
import { modelAccess } from './model-access.js';
import type { QuotaRow } from '../store/quota-store.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    viewer: (_parent, _args, ctx) => ctx.principal,
    team: (_parent, { id }, ctx) => {
      assertUuid(id, 'id');
      return ctx.loaders.team.load(id);
    },
    accessDecisions: async (_parent, { checks }, ctx) => {
      if (checks.length > 500)
        throw badUserInput('At most 500 checks per call.', { field: 'checks' });
      return Promise.all(
        checks.map(async (check) => {
          assertUuid(check.teamId, 'teamId');
          const quota = quotaFields(await ctx.loaders.quota.load(check.teamId));
          const decision = decideAccess(
            {
              id: check.modelId,
              providerId: check.providerId,
              capabilities: check.capabilities,
              tags: check.tags,
              ceiling: check.modelClassification,
            },
            await ctx.loaders.accessRules.load(check.teamId),
            check.dataClass ?? DEFAULT_DATA_CLASS,
          );
          return { ...decision, quota };
        }),
      );
    },
    auditLog: (_parent, { teamId, filter, first, after }, ctx) => {
      if (teamId != null) assertUuid(teamId, 'teamId');
      return auditConnection(ctx, teamId ?? null, filter ?? {}, first, after);
    },
    teams: (_parent, _args, ctx) =>
      isOrgAdmin(ctx.principal)
        ? ctx.stores.teams.list()
        : ctx.stores.teams.list(teamIdsOf(ctx.principal)),
  },
  Mutation: {
    createTeam: (_parent, { input }, ctx) => ctx.service.createTeam(ctx, input.name),
    addTeamMember: (_parent, { input }, ctx) =>
      ctx.service.addTeamMember(ctx, input.teamId, input.userId, input.role),
    createApiKey: (_parent, { input }, ctx) => ctx.service.createApiKey(ctx, input),
    revokeApiKey: (_parent, { id }, ctx) => ctx.service.revokeApiKey(ctx, id),
    setQuota: async (_parent, { teamId, input }, ctx) => {
      assertUuid(teamId, 'teamId');
      const limit = (value: number | null | undefined) => (value == null ? undefined : value);
      await ctx.service.setQuota(ctx, {
        teamId,
        rpm: limit(input.requestsPerMinute),
        tpm: limit(input.tokensPerMinute),
        tpd: limit(input.tokensPerDay),
        keyRpm: limit(input.keyRequestsPerMinute),
        keyTpm: limit(input.keyTokensPerMinute),
      });
      ctx.loaders.quota.clear(teamId);
      return ctx.loaders.team.load(teamId);
    },
    setModelAccess: (_parent, { input }, ctx) => ctx.access.setModelAccess(ctx, input),
    removeModelAccess: (_parent, { id }, ctx) => ctx.access.removeModelAccess(ctx, id),
    removeTeamMember: (_parent, { teamId, userId }, ctx) =>
      ctx.service.removeTeamMember(ctx, teamId, userId),
  },
  AuditEvent: {
    details: (event) => JSON.stringify(event.details),
  },
  Viewer: {
    memberships: (principal) => principal.teams,
  },
  Membership: {
    team: (grant, _args, ctx) => ctx.loaders.team.load(grant.id),
  },
  Team: {
    // Checked before loading, as shield does not guard reference resolution (no existence leak).
    __resolveReference: async (reference, ctx) => {
      if (!isOrgAdmin(ctx.principal) && !teamIdsOf(ctx.principal).includes(reference.id)) {
        throw forbidden('You do not belong to this team.');
      }
      return ctx.loaders.team.load(reference.id);
    },
    members: (team, _args, ctx) => ctx.loaders.members.load(team.id),
    apiKeys: (team, _args, ctx) => ctx.loaders.apiKeys.load(team.id),
    accessRules: (team, _args, ctx) => ctx.loaders.accessRules.load(team.id),
    quota: async (team, _args, ctx) => quotaFields(await ctx.loaders.quota.load(team.id)),
    rateLimitStatus: async (team, _args, ctx) => {
      const { rpm, tpm, tpd } = await ctx.loaders.quota.load(team.id);
      const status = await ctx.rateLimiter.status({ teamId: team.id }, { rpm, tpm, tpd });
      if (status.unavailable) {
        ctx.logger.warn({ teamId: team.id, reason: status.unavailable }, 'rate limits unreadable');
      }
      const figure = (s: (typeof status)['rpm']) =>
        s
          ? { limit: s.limit, remaining: s.remaining, resetAfterSeconds: s.resetAfterMs / 1000 }
          : null;
      return {
        requestsPerMinute: figure(status.rpm),
        tokensPerMinute: figure(status.tpm),
        tokensPerDay: figure(status.tpd),
        unavailable: status.unavailable !== undefined,
      };
    },
  },
  ApiKey: {
    team: (key, _args, ctx) => ctx.loaders.team.load(key.teamId),
  },
  Model: {
    __resolveReference: (reference) => reference,
    access: (model, args, ctx) => modelAccess(model, args, ctx),
  },
};

/** A stored quota as the schema's Quota (null where unlimited). */
function quotaFields(q: QuotaRow) {
  return {
    requestsPerMinute: q.rpm ?? null,
    tokensPerMinute: q.tpm ?? null,
    tokensPerDay: q.tpd ?? null,
    keyRequestsPerMinute: q.keyRpm ?? null,
    keyTokensPerMinute: q.keyTpm ?? null,
  };
}
