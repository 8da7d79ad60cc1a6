import { isOrgAdmin, teamIdsOf } from '../../../lib/auth/principal.js';
import { forbidden } from '../../../lib/errors.js';
import type { TeamResolvers } from '../generated/resolvers-types.js';
import { quotaFiguresOf } from '../../../lib/rate-limit/quota-names.js';

export const Team: TeamResolvers = {
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
  quota: async (team, _args, ctx) => quotaFiguresOf(await ctx.loaders.quota.load(team.id)),
  rateLimitStatus: async (team, _args, ctx) =>
    ctx.service.rateLimitStatus(team.id, await ctx.loaders.quota.load(team.id), ctx.logger),
};
