import { DateTimeScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { assertUuid } from '../../../lib/ids.js';
import { Mutation } from './mutation.js';
import { Budget, Hold, ModelUsage, Transaction, Wallet } from './wallet.js';

export const resolvers: Resolvers = {
  Micros: MicrosScalar,
  DateTime: DateTimeScalar,
  Query: {
    wallet: (_parent, { id }, ctx) => ctx.loaders.wallet.load(assertUuid(id, 'id')),
    hold: (_parent, { id }, ctx) => ctx.loaders.hold.load(assertUuid(id, 'id')),
    holdByKey: async (_parent, { walletId, idempotencyKey }, ctx) =>
      (await ctx.ledger.reads.holdByKey(assertUuid(walletId, 'walletId'), idempotencyKey)) ?? null,
  },
  Mutation,
  Team: {
    __resolveReference: (reference) => ({ id: reference.id }),
    wallet: (team, _args, ctx) => ctx.loaders.wallet.load(assertUuid(team.id, 'id')),
  },
  Wallet,
  Budget,
  Transaction,
  Hold,
  ModelUsage,
};
