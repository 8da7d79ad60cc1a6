import { assertUuid } from '../../../lib/ids.js';
import type { TeamResolvers } from '../generated/resolvers-types.js';

/** A team, as the wallet sees it: a wallet's id is its team's id. */
export const Team: TeamResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  wallet: (team, _args, ctx) => ctx.loaders.wallet.load(assertUuid(team.id, 'id')),
};
