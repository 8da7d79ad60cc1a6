import { assertUuid } from '../../../lib/ids.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { ownWalletTeam } from '../service/own-wallet.js';

export const Query: QueryResolvers = {
  wallet: (_parent, { id }, ctx) => ctx.loaders.wallet.load(assertUuid(id, 'id')),
  myWallet: (_parent, { teamId }, ctx) => {
    const team = ownWalletTeam(ctx.principal, teamId);
    if (team instanceof Error) throw team;
    return ctx.loaders.wallet.load(assertUuid(team, 'teamId'));
  },
  hold: (_parent, { id }, ctx) => ctx.loaders.hold.load(assertUuid(id, 'id')),
  holdByKey: async (_parent, { walletId, idempotencyKey }, ctx) =>
    (await ctx.ledger.reads.holdByKey(assertUuid(walletId, 'walletId'), idempotencyKey)) ?? null,
};
