import type {
  DebitMetadataInput,
  GrantMetadataInput,
  MutationGrantCreditsArgs,
  MutationResolvers,
} from '../generated/resolvers-types.js';
import type { WalletContext } from '../context.js';
import { badUserInput } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import { holdAccess } from '../service/hold-access.js';
import type { FundingMetadata } from '../store/transfer-rows.js';

/** The most spends one spendFromHolds may carry, and grants one grantCreditsBatch. */
const MAX_SPENDS = 256;
const MAX_GRANTS = 256;

/** The payment fields given, without nulls (the ledger validates their lengths). */
const fundingMetadata = (
  input: GrantMetadataInput | DebitMetadataInput | null | undefined,
): FundingMetadata | null =>
  input
    ? {
        ...(input.paymentId != null && { paymentId: input.paymentId }),
        ...(input.purchaseId != null && { purchaseId: input.purchaseId }),
        ...(input.source != null && { source: input.source }),
      }
    : null;

/** One grant, as grantCredits and each entry of grantCreditsBatch ask for it. */
const grantOne = (
  { walletId, amount, idempotencyKey, memo, metadata }: MutationGrantCreditsArgs,
  ctx: WalletContext,
) =>
  ctx.ledger.grant({
    walletId: assertUuid(walletId, 'walletId'),
    amount,
    idempotencyKey,
    memo,
    metadata: fundingMetadata(metadata),
    actor: ctx.principal.id,
  });

export const Mutation: MutationResolvers = {
  grantCredits: (_parent, grant, ctx) => grantOne(grant, ctx),
  // One promise per grant, as spendFromHolds: a refused one is null with its own error.
  grantCreditsBatch: (_parent, { grants }, ctx) => {
    if (grants.length < 1 || grants.length > MAX_GRANTS) {
      throw badUserInput(`grants must hold 1 to ${MAX_GRANTS} entries.`, { field: 'grants' });
    }
    return grants.map(async (grant) => grantOne(grant, ctx));
  },
  debitCredits: (_parent, args, ctx) =>
    ctx.ledger.debit({
      walletId: assertUuid(args.walletId, 'walletId'),
      amount: args.amount,
      idempotencyKey: args.idempotencyKey,
      memo: args.memo,
      holdId: args.holdId == null ? null : assertUuid(args.holdId, 'holdId'),
      metadata: fundingMetadata(args.metadata),
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
            // A call's hold records no purpose, so its request hashes as before purposes were.
            ...(metadata.purpose != null &&
              metadata.purpose !== 'CALL' && { purpose: metadata.purpose }),
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
  // Each service voids only its own kind of hold (hold-access.ts), known once the hold is read.
  voidHold: async (_parent, { holdId }, ctx) => {
    const id = assertUuid(holdId, 'holdId');
    const allowed = holdAccess(ctx.principal, (await ctx.loaders.hold.load(id)).metadata.purpose);
    if (allowed !== true) throw allowed;
    return ctx.ledger.voidHold({ holdId: id, actor: ctx.principal.id });
  },
  setBudget: async (_parent, { walletId, input }, ctx) => {
    const id = assertUuid(walletId, 'walletId');
    await ctx.ledger.setBudget({
      walletId: id,
      monthlyLimit: input.monthlyLimit ?? null,
      alertThresholds: input.alertThresholds ?? [],
    });
    return ctx.loaders.wallet.clear(id).load(id);
  },
  setWalletSuspended: async (_parent, { walletId, suspended, reason }, ctx) => {
    const id = assertUuid(walletId, 'walletId');
    await ctx.ledger.setSuspended({ walletId: id, suspended, reason });
    return ctx.loaders.wallet.clear(id).load(id);
  },
  setLowBalanceThreshold: async (_parent, { walletId, threshold }, ctx) => {
    const id = assertUuid(walletId, 'walletId');
    await ctx.ledger.setLowBalanceThreshold({ walletId: id, threshold: threshold ?? null });
    return ctx.loaders.wallet.clear(id).load(id);
  },
};
