import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { WalletResolvers } from '../generated/resolvers-types.js';
import type { TransferRow } from '../store/transfer-rows.js';
import { assertUuid } from '../../../lib/ids.js';

const CURSOR_KIND = 'transfer';

export const Wallet: WalletResolvers = {
  __resolveReference: (reference, ctx) => ctx.loaders.wallet.load(assertUuid(reference.id, 'id')),
  team: (wallet) => ({ id: wallet.id }),
  balance: (wallet) => ({
    available: wallet.available,
    held: wallet.held,
    posted: wallet.posted,
    owed: wallet.owed,
  }),
  transactions: async (wallet, { first, after, filter }, ctx) => {
    const size = pageSize(first);
    const afterSeq = decodeCursor(CURSOR_KIND, after)?.[0] ?? null;
    const ledgerFilter = { kinds: filter?.kinds, from: filter?.from, to: filter?.to };
    const rows = await ctx.ledger.reads.transactions(wallet.id, ledgerFilter, afterSeq, size + 1);
    return toConnection<TransferRow>(
      toPage(rows, size, after),
      (t) => encodeCursor(CURSOR_KIND, [t.seq]),
      () => ctx.ledger.reads.countTransactions(wallet.id, ledgerFilter),
    );
  },
  holds: (wallet, { status, first }, ctx) =>
    ctx.ledger.reads.holds(wallet.id, status ?? null, Math.max(1, pageSize(first))),
  budget: (wallet) => (wallet.budgetLimit === null ? null : wallet),
  usageByModel: (wallet, { from, to }, ctx) => ctx.ledger.reads.usageByModel(wallet.id, from, to),
};
