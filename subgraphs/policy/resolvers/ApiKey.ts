import type { ApiKeyResolvers } from '../generated/resolvers-types.js';

export const ApiKey: ApiKeyResolvers = {
  team: (key, _args, ctx) => ctx.loaders.team.load(key.teamId),
};
