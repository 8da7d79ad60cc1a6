import type { PurchaseResolvers } from '../generated/resolvers-types.js';

/** A purchase: the store's row, with the credits named as the schema names them. */
export const Purchase: PurchaseResolvers = {
  __resolveReference: (reference, ctx) => ctx.loaders.purchase.load(reference.id),
  credits: (purchase) => purchase.grantedCredits,
  grantTransactionId: (purchase) => purchase.grantTransferId,
  refunds: () => [],
  disputes: () => [],
};
