import { assertUuid } from '../../../lib/ids.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { notBuiltYet } from './not-built.js';

export const Mutation: MutationResolvers = {
  createCheckout: (_parent, { input }, ctx) =>
    ctx.billing.checkout.createCheckout({
      ...input,
      teamId: assertUuid(input.teamId, 'teamId'),
      principalId: ctx.principal.id,
    }),

  createAutoRechargeSetup: () => notBuiltYet('Auto-recharge'),

  setAutoRecharge: () => notBuiltYet('Auto-recharge'),

  refundPurchase: () => notBuiltYet('Refunds'),

  runReconciliation: () => notBuiltYet('Reconciliation'),
};
