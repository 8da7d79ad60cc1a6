import type { HoldResolvers } from '../generated/resolvers-types.js';

export const Hold: HoldResolvers = {
  wallet: (hold, _args, ctx) => ctx.loaders.wallet.load(hold.walletId),
  model: (hold) => (hold.metadata.modelId ? { id: hold.metadata.modelId } : null),
  priceVersion: (hold) => hold.metadata.priceVersion ?? null,
  requestId: (hold) => hold.metadata.requestId ?? null,
  purpose: (hold) => hold.metadata.purpose ?? 'CALL',
};
