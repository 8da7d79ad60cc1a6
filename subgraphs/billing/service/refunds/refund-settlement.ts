import type { AuditClient } from '../../clients/audit-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { RefundRow, RefundStore } from '../../store/refund-store.js';
import type { OwedSuspension } from './owed-suspension.js';

/** The provider's refund as far as settling needs it. */
export interface ProviderRefund {
  id: string;
  status: string | null;
  failure_reason?: string | null;
}

/**
 * Brings a recorded refund to where the provider's refund is. Credits are debited only once the
 * provider says `succeeded` (never on `pending`), so a refund that fails never took credits and
 * nothing has to be put back. The wallet's key is derived from the provider's refund id, so our
 * own call, the refund's events and their redeliveries all converge on one DEBIT; the refund row
 * and the purchase's totals move once (a conditional update from PENDING).
 */
export function createRefundSettlement(deps: {
  refunds: RefundStore;
  wallet: WalletClient;
  audit: AuditClient;
  suspension: OwedSuspension;
}) {
  const { refunds, wallet, audit, suspension } = deps;
  const current = async (refund: RefundRow) => (await refunds.byId(refund.id)) ?? refund;

  return async function settleRefund(
    refund: RefundRow,
    purchase: PurchaseRow,
    provider: ProviderRefund,
    requestId: string,
  ): Promise<RefundRow> {
    if (refund.status !== 'PENDING') return refund;
    const event = {
      teamId: refund.teamId,
      targetType: 'Refund',
      targetId: refund.id,
      requestId,
    };
    if (provider.status === 'failed' || provider.status === 'canceled') {
      const failed = await refunds.markFailed(
        refund.id,
        `The provider's refund ${provider.id} is ${provider.status}${provider.failure_reason ? ` (${provider.failure_reason})` : ''}.`,
      );
      if (failed) {
        await audit.record({
          ...event,
          action: 'REFUND_FAILED',
          outcome: 'FAILED',
          details: {
            purchaseId: purchase.id,
            providerRefundId: provider.id,
            status: provider.status,
          },
        });
      }
      return failed ?? current(refund);
    }
    // pending, requires_action: its refund.updated event brings it here again.
    if (provider.status !== 'succeeded') return refund;

    const debit =
      refund.credits > 0n
        ? await wallet.debitForPayment({
            teamId: refund.teamId,
            credits: refund.credits,
            key: `refund:${provider.id}`,
            memo: `Refund ${provider.id} of purchase ${purchase.id}`,
            paymentId: purchase.paymentId ?? provider.id,
            purchaseId: purchase.id,
            source: 'refund',
            requestId,
          })
        : null;
    const owed = debit?.owed ?? 0n;
    const cause = { ...event, owed, cause: 'refund', targetType: 'Refund' } as const;
    await suspension.suspend(cause);
    const done = await refunds.markSucceeded(refund.id, {
      debited: debit?.debited ?? 0n,
      owed,
      transferId: debit?.transactionId ?? null,
    });
    if (!done) return current(refund);
    await audit.record({
      ...event,
      action: 'REFUND_ISSUED',
      outcome: 'SUCCEEDED',
      details: {
        purchaseId: purchase.id,
        providerRefundId: provider.id,
        source: done.source,
        amountMinor: done.amountMinor,
        credits: done.credits.toString(),
        debitedCredits: (done.debitedCredits ?? 0n).toString(),
        owedCredits: (done.owedCredits ?? 0n).toString(),
      },
    });
    await suspension.audit(cause);
    return done;
  };
}

export type SettleRefund = ReturnType<typeof createRefundSettlement>;
