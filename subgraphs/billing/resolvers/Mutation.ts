import { assertUuid } from '../../../lib/ids.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createCheckout: (_parent, { input }, ctx) =>
    ctx.billing.checkout.createCheckout({
      ...input,
      teamId: assertUuid(input.teamId, 'teamId'),
      principalId: ctx.principal.id,
    }),

  createAutoRechargeSetup: (_parent, { teamId, urls }, ctx) =>
    ctx.billing.autoRecharge.createSetup(assertUuid(teamId, 'teamId'), urls ?? {}, ctx.requestId),

  setAutoRecharge: (_parent, { teamId, input }, ctx) =>
    ctx.billing.autoRecharge.set(assertUuid(teamId, 'teamId'), input, ctx.requestId),

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
