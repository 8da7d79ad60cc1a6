import type { WalletStatementResolvers } from '../generated/resolvers-types.js';

/** A statement's wallet and usage are read only when asked for. */
export const WalletStatement: WalletStatementResolvers = {
  wallet: (statement, _args, ctx) => ctx.loaders.wallet.load(statement.walletId),
  usageByModel: (statement, _args, ctx) =>
    ctx.ledger.reads.usageByModel(statement.walletId, statement.from, statement.to),
};
