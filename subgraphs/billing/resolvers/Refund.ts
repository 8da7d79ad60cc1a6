import type { RefundResolvers } from '../generated/resolvers-types.js';

/** A refund: the store's row, its figures named as the schema names them. */
export const Refund: RefundResolvers = {
  debitedCredits: (refund) => (refund.status === 'SUCCEEDED' ? refund.debitedCredits : null),
  owedCredits: (refund) => (refund.status === 'SUCCEEDED' ? refund.owedCredits : null),
};
