import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type {
  BudgetResolvers,
  HoldResolvers,
  ModelUsageResolvers,
  TransactionResolvers,
  WalletResolvers,
} from '../generated/resolvers-types.js';
import type { TransferRow } from '../ledger/transfer-rows.js';
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

export const Budget: BudgetResolvers = {
  monthlyLimit: (w) => w.budgetLimit ?? 0n,
  monthToDateSpend: (w) => w.monthToDateSpend,
  held: (w) => w.held,
  remaining: (w) => {
    const left = (w.budgetLimit ?? 0n) - w.monthToDateSpend - w.held;
    return left > 0n ? left : 0n;
  },
  alertThresholds: (w) => w.alertThresholds,
  alertsReached: (w) =>
    w.alertThresholds.filter(
      (t) =>
        (w.budgetLimit ?? 0n) > 0n &&
        w.monthToDateSpend * 100n >= (w.budgetLimit ?? 0n) * BigInt(t),
    ),
};

/** How each kind of entry changes the wallet's posted, held and owed figures. */
function changes(t: TransferRow): { posted: bigint; held: bigint; owed: bigint } {
  switch (t.kind) {
    case 'GRANT':
    case 'REFUND':
      return { posted: t.amount, held: 0n, owed: 0n };
    case 'HOLD':
      return { posted: 0n, held: t.amount, owed: 0n };
    case 'CAPTURE':
      return { posted: -t.amount, held: -t.released, owed: 0n };
    case 'VOID':
    case 'EXPIRE':
      return { posted: 0n, held: -t.released, owed: 0n };
    case 'EXCESS':
      return { posted: -t.amount, held: 0n, owed: 0n };
    case 'OWED':
      return { posted: 0n, held: 0n, owed: t.amount };
    case 'REPAY':
      return { posted: -t.amount, held: 0n, owed: -t.amount };
  }
}

export const Transaction: TransactionResolvers = {
  postedChange: (t) => changes(t).posted,
  heldChange: (t) => changes(t).held,
  owedChange: (t) => changes(t).owed,
  relatedId: (t) => t.pendingId,
};

export const Hold: HoldResolvers = {
  wallet: (hold, _args, ctx) => ctx.loaders.wallet.load(hold.walletId),
  model: (hold) => (hold.metadata.modelId ? { id: hold.metadata.modelId } : null),
  priceVersion: (hold) => hold.metadata.priceVersion ?? null,
  requestId: (hold) => hold.metadata.requestId ?? null,
};

export const ModelUsage: ModelUsageResolvers = {
  model: (usage) => ({ id: usage.modelId }),
};
