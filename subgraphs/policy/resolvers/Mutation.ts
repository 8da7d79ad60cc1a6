import { assertUuid } from '../../../lib/ids.js';
import { limitsOf } from '../../../lib/rate-limit/quota-names.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createTeam: (_parent, { input }, ctx) => ctx.service.createTeam(ctx, input.name),
  addTeamMember: (_parent, { input }, ctx) =>
    ctx.service.addTeamMember(ctx, input.teamId, input.userId, input.role),
  createApiKey: (_parent, { input }, ctx) => ctx.service.createApiKey(ctx, input),
  revokeApiKey: (_parent, { id }, ctx) => ctx.service.revokeApiKey(ctx, id),
  setQuota: async (_parent, { teamId, input }, ctx) => {
    assertUuid(teamId, 'teamId');
    await ctx.service.setQuota(ctx, {
      teamId,
      ...limitsOf(input),
      maxConcurrentStreams: input.maxConcurrentStreams ?? undefined,
    });
    ctx.loaders.quota.clear(teamId);
    return ctx.loaders.team.load(teamId);
  },
  setModelAccess: (_parent, { input }, ctx) => ctx.service.setModelAccess(ctx, input),
  removeModelAccess: (_parent, { id }, ctx) => ctx.service.removeModelAccess(ctx, id),
  removeTeamMember: (_parent, { teamId, userId }, ctx) =>
    ctx.service.removeTeamMember(ctx, teamId, userId),
  publishDocuments: (_parent, { input }, ctx) => ctx.service.publishDocuments(ctx, input),
};
