import type { ViewerResolvers } from '../generated/resolvers-types.js';

export const Viewer: ViewerResolvers = {
  memberships: (principal) => principal.teams,
};
