import type { TransactionResolvers } from '../generated/resolvers-types.js';
import type { TransferRow } from '../store/transfer-rows.js';

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
    case 'SPEND':
      return { posted: -t.amount, held: -t.amount, owed: 0n };
    case 'VOID':
    case 'EXPIRE':
      return { posted: 0n, held: -t.released, owed: 0n };
    case 'EXCESS':
      return { posted: -t.amount, held: 0n, owed: 0n };
    case 'OWED':
      return { posted: 0n, held: 0n, owed: t.amount };
    case 'REPAY':
      return { posted: -t.amount, held: 0n, owed: -t.amount };
    case 'DEBIT':
      return { posted: -t.amount, held: 0n, owed: 0n };
  }
}

/** A GRANT's or DEBIT's payment field (FundingMetadata), null on any other entry. */
const payment =
  (field: 'paymentId' | 'purchaseId' | 'source') =>
  (t: TransferRow): string | null =>
    t.kind === 'GRANT' || t.kind === 'DEBIT' ? ((t.metadata[field] as string) ?? null) : null;

export const Transaction: TransactionResolvers = {
  postedChange: (t) => changes(t).posted,
  heldChange: (t) => changes(t).held,
  owedChange: (t) => changes(t).owed,
  relatedId: (t) => t.pendingId,
  wallet: (t, _args, ctx) => ctx.loaders.wallet.load(t.walletId),
  paymentId: payment('paymentId'),
  purchaseId: payment('purchaseId'),
  source: payment('source'),
};
