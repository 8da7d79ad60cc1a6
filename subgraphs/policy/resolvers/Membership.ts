import type { MembershipResolvers } from '../generated/resolvers-types.js';

export const Membership: MembershipResolvers = {
  team: (grant, _args, ctx) => ctx.loaders.team.load(grant.id),
};
