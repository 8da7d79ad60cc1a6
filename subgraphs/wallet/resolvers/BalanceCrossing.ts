import type { BalanceCrossingResolvers } from '../generated/resolvers-types.js';

export const BalanceCrossing: BalanceCrossingResolvers = {
  id: (crossing) => crossing.seq,
  wallet: (crossing, _args, ctx) => ctx.loaders.wallet.load(crossing.walletId),
};
