import type { HoldSpendResolvers } from '../generated/resolvers-types.js';

export const HoldSpend: HoldSpendResolvers = {
  hold: (spend, _args, ctx) => ctx.loaders.hold.load(spend.holdId),
};
