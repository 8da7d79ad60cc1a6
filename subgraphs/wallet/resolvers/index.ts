import { MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { assertWalletId } from '../validation.js';

export const resolvers: Resolvers = {
  Micros: MicrosScalar,
  Query: {
    wallet: (_parent, { id }, ctx) => {
      assertWalletId(id);
      return ctx.loaders.wallet.load(id);
    },
  },
  Team: {
    __resolveReference: (reference) => ({ id: reference.id }),
    wallet: (team, _args, ctx) => {
      assertWalletId(team.id);
      return ctx.loaders.wallet.load(team.id);
    },
  },
  Wallet: {
    __resolveReference: (reference, ctx) => {
      assertWalletId(reference.id);
      return ctx.loaders.wallet.load(reference.id);
    },
    team: (wallet) => ({ id: wallet.id }),
    balance: (wallet) => ({
      posted: wallet.posted,
      held: wallet.held,
      available: wallet.posted - wallet.held,
    }),
  },
};
