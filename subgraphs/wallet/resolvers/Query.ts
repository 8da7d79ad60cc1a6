import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import { badUserInput } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { ownWalletTeam } from '../service/own-wallet.js';
import { walletStatement } from '../service/statement.js';
import type { CrossingRow } from '../store/funding-reads.js';

const CROSSING_CURSOR = 'crossing';
/** The most payment ids one grantsForPayments may ask about. */
const MAX_PAYMENT_IDS = 1000;

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
  grantsForPayments: (_parent, { paymentIds }, ctx) => {
    if (paymentIds.length < 1 || paymentIds.length > MAX_PAYMENT_IDS) {
      throw badUserInput(`paymentIds must hold 1 to ${MAX_PAYMENT_IDS} ids.`, {
        field: 'paymentIds',
      });
    }
    return ctx.ledger.fundingReads.grantsForPayments(paymentIds);
  },
  balanceCrossings: async (_parent, { after, first }, ctx) => {
    const size = pageSize(first);
    const position = decodeCursor(CROSSING_CURSOR, after);
    const [xid, seq] = position ?? [];
    const reads = ctx.ledger.fundingReads;
    const rows = await reads.balanceCrossings(xid && seq ? { xid, seq } : null, size + 1);
    return toConnection<CrossingRow>(
      toPage(rows, size, after),
      (c) => encodeCursor(CROSSING_CURSOR, [c.xid, c.seq]),
      () => reads.countBalanceCrossings(),
    );
  },
  walletStatement: (_parent, { walletId, from, to }, ctx) =>
    walletStatement(ctx.ledger, assertUuid(walletId, 'walletId'), from, to),
};
