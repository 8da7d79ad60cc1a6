import { createHash, randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { badUserInput, codedError, ErrorCode, notFound } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/logging.js';
import { unavailable } from '../../../../lib/service-client.js';
import type { AuditClient } from '../../clients/audit-client.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type { RefundRow, RefundStore } from '../../store/refund-store.js';
import { clawbackCredits } from './clawback-credits.js';
import type { SettleRefund } from './refund-settlement.js';

export interface RefundPurchaseInput {
  purchaseId: string;
  /** Null or absent: all that is not refunded yet. */
  amountMinor?: number | null;
  idempotencyKey: string;
  reason?: string | null;
  principalId: string;
  requestId: string;
}

/** The provider answered: it will not refund this (a 4xx other than a rate limit). */
const refusedByProvider = (error: unknown): error is Stripe.errors.StripeError => {
  const status = (error as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
};

function checkInput(input: RefundPurchaseInput) {
  const { idempotencyKey, amountMinor, reason } = input;
  if (idempotencyKey.length < 1 || idempotencyKey.length > 200) {
    throw badUserInput('idempotencyKey must be 1 to 200 characters.', {
      argument: 'idempotencyKey',
    });
  }
  if (amountMinor != null && (!Number.isSafeInteger(amountMinor) || amountMinor < 1)) {
    throw badUserInput('amountMinor must be a whole number greater than zero.', {
      argument: 'amountMinor',
    });
  }
  if (reason != null && reason.length > 500) {
    throw badUserInput('reason must be at most 500 characters.', { argument: 'reason' });
  }
}

/**
 * An organization admin's refund of a purchase, in named steps: record it (sized under the
 * purchase's lock, PENDING) → ask the provider (its idempotency key is our refund's id, so a
 * retry asks once) → settle it (debit the credits once the provider says succeeded). The same
 * idempotency key with the same amount returns the same refund and finishes it if a crash cut
 * it short; with another amount, IDEMPOTENCY_CONFLICT.
 */
export function createRefundPurchase(deps: {
  stripe: Stripe;
  purchases: PurchaseStore;
  refunds: RefundStore;
  settle: SettleRefund;
  audit: AuditClient;
  logger: Logger;
}) {
  const { stripe, purchases, refunds, settle, audit } = deps;

  async function record(input: RefundPurchaseInput, requestHash: string): Promise<RefundRow> {
    const reserved = await refunds.reserve(
      input.purchaseId,
      { idempotencyKey: input.idempotencyKey },
      (taken) => {
        const { purchase } = taken;
        if (purchase.status !== 'PAID') {
          throw codedError(
            ErrorCode.CONFLICT,
            `Purchase ${purchase.id} is ${purchase.status}: only a PAID purchase can be refunded.`,
            { status: purchase.status },
          );
        }
        const refundable = (purchase.paidAmountMinor ?? 0) - taken.refundedMinor;
        const amount = input.amountMinor ?? refundable;
        if (refundable <= 0 || amount > refundable) {
          throw badUserInput(
            `Only ${Math.max(refundable, 0)} (minor units) of purchase ${purchase.id} is left to refund.`,
            { argument: 'amountMinor', refundableAmountMinor: Math.max(refundable, 0) },
          );
        }
        return {
          id: randomUUID(),
          source: 'ADMIN',
          amountMinor: amount,
          credits: clawbackCredits(taken, amount),
          providerRefundId: null,
          idempotencyKey: input.idempotencyKey,
          requestHash,
          reason: input.reason ?? null,
          createdBy: input.principalId,
        };
      },
    );
    if (!reserved) throw notFound('Purchase', input.purchaseId);
    if (!reserved.created && reserved.refund.requestHash !== requestHash) {
      throw codedError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        'This idempotency key was used for another refund of this purchase.',
        { idempotencyKey: input.idempotencyKey },
      );
    }
    return reserved.refund;
  }

  async function askProvider(refund: RefundRow, purchase: PurchaseRow, requestId: string) {
    try {
      return await stripe.refunds.create(
        {
          payment_intent: purchase.paymentId ?? undefined,
          amount: refund.amountMinor,
          reason: 'requested_by_customer',
          metadata: { refundId: refund.id, purchaseId: purchase.id },
        },
        { idempotencyKey: `refund:${refund.id}` },
      );
    } catch (error) {
      if (!refusedByProvider(error)) {
        deps.logger.warn({ err: error, refundId: refund.id, requestId }, 'refund not sent');
        throw unavailable('The payment provider');
      }
      const failed = await refunds.markFailed(refund.id, `Refused: ${error.message}`);
      if (failed) {
        await audit.record({
          teamId: refund.teamId,
          action: 'REFUND_FAILED',
          outcome: 'FAILED',
          targetType: 'Refund',
          targetId: refund.id,
          details: { purchaseId: purchase.id, providerCode: error.code ?? null },
          requestId,
        });
      }
      throw codedError(
        ErrorCode.CONFLICT,
        `The payment provider refused the refund: ${error.message}`,
        { providerCode: error.code ?? null },
      );
    }
  }

  return async function refundPurchase(input: RefundPurchaseInput): Promise<RefundRow> {
    checkInput(input);
    const [purchase] = isUuid(input.purchaseId) ? await purchases.byIds([input.purchaseId]) : [];
    if (!purchase) throw notFound('Purchase', input.purchaseId);
    const requestHash = createHash('sha256')
      .update(JSON.stringify({ amountMinor: input.amountMinor ?? null }))
      .digest('hex');
    const refund = await record(input, requestHash);
    if (refund.status !== 'PENDING') return refund;
    const provider = await askProvider(refund, purchase, input.requestId);
    await refunds.attachProviderRefund(refund.id, provider.id);
    return settle(
      { ...refund, providerRefundId: provider.id },
      purchase,
      provider,
      input.requestId,
    );
  };
}

export type RefundPurchase = ReturnType<typeof createRefundPurchase>;
