import { assertUuid } from '../../../lib/ids.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';

export const Query: QueryResolvers = {
  wallet: (_parent, { id }, ctx) => ctx.loaders.wallet.load(assertUuid(id, 'id')),
  hold: (_parent, { id }, ctx) => ctx.loaders.hold.load(assertUuid(id, 'id')),
  holdByKey: async (_parent, { walletId, idempotencyKey }, ctx) =>
    (await ctx.ledger.reads.holdByKey(assertUuid(walletId, 'walletId'), idempotencyKey)) ?? null,
};
