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

  refundPurchase: (_parent, args, ctx) =>
    ctx.billing.refunds.refundPurchase({
      purchaseId: args.purchaseId,
      amountMinor: args.amountMinor,
      idempotencyKey: args.idempotencyKey,
      reason: args.reason,
      principalId: ctx.principal.id,
      requestId: ctx.requestId,
    }),

  runReconciliation: (_parent, { since }, ctx) =>
    ctx.billing.reconciliation.run({
      since: since ?? null,
      startedBy: ctx.principal.id,
      requestId: ctx.requestId,
    }),
};
