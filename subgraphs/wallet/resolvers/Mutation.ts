import type { MutationResolvers } from '../generated/resolvers-types.js';
import { badUserInput } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';

/** The most spends one spendFromHolds may carry. */
const MAX_SPENDS = 256;

export const Mutation: MutationResolvers = {
  grantCredits: (_parent, { walletId, amount, idempotencyKey, memo }, ctx) =>
    ctx.ledger.grant({
      walletId: assertUuid(walletId, 'walletId'),
      amount,
      idempotencyKey,
      memo,
      actor: ctx.principal.id,
    }),
  refund: (_parent, { captureId, amount, idempotencyKey, memo }, ctx) =>
    ctx.ledger.refund({
      captureId: assertUuid(captureId, 'captureId'),
      amount,
      idempotencyKey,
      memo,
      actor: ctx.principal.id,
    }),
  authorizeHold: (_parent, args, ctx) => {
    const { walletId, amount, minimumAmount, idempotencyKey, expiresInSeconds, metadata } = args;
    return ctx.ledger.authorizeHold({
      walletId: assertUuid(walletId, 'walletId'),
      amount,
      minimumAmount,
      idempotencyKey,
      expiresInSeconds,
      metadata: metadata
        ? {
            ...(metadata.modelId != null && { modelId: metadata.modelId }),
            ...(metadata.priceVersion != null && { priceVersion: metadata.priceVersion }),
            ...(metadata.requestId != null && { requestId: metadata.requestId.slice(0, 200) }),
            ...(metadata.runId != null && { runId: metadata.runId.slice(0, 200) }),
            ...(metadata.note != null && { note: metadata.note.slice(0, 200) }),
          }
        : null,
      actor: ctx.principal.id,
    });
  },
  captureHold: (_parent, { holdId, amount, idempotencyKey, usage, chargeExcess }, ctx) =>
    ctx.ledger.captureHold({
      holdId: assertUuid(holdId, 'holdId'),
      amount,
      idempotencyKey,
      usage,
      chargeExcess: chargeExcess ?? false,
      actor: ctx.principal.id,
    }),
  // One promise per spend: a refused one is null with its own error, the others still answer.
  spendFromHolds: (_parent, { spends }, ctx) => {
    if (spends.length < 1 || spends.length > MAX_SPENDS) {
      throw badUserInput(`spends must hold 1 to ${MAX_SPENDS} entries.`, { field: 'spends' });
    }
    return spends.map(async ({ holdId, amount, idempotencyKey, usage }) =>
      ctx.ledger.spendFromHold({
        holdId: assertUuid(holdId, 'holdId'),
        amount,
        idempotencyKey,
        usage,
        actor: ctx.principal.id,
      }),
    );
  },
  voidHold: (_parent, { holdId }, ctx) =>
    ctx.ledger.voidHold({ holdId: assertUuid(holdId, 'holdId'), actor: ctx.principal.id }),
  setBudget: async (_parent, { walletId, input }, ctx) => {
    const id = assertUuid(walletId, 'walletId');
    await ctx.ledger.setBudget({
      walletId: id,
      monthlyLimit: input.monthlyLimit ?? null,
      alertThresholds: input.alertThresholds ?? [],
    });
    return ctx.loaders.wallet.clear(id).load(id);
  },
};
