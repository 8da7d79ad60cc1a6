import type Stripe from 'stripe';
import type { AuditClient } from '../../clients/audit-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { DisputeRow, DisputeStore } from '../../store/dispute-store.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type { EventHandlers, HandledEvent } from '../events/event-handlers.js';
import { clawbackCredits } from '../refunds/clawback-credits.js';
import type { OwedSuspension } from '../refunds/owed-suspension.js';
import { idOf, paidPurchaseOf } from '../refunds/purchase-of-payment.js';

/** How the provider's dispute ended, or null while it is open. */
function decided(status: Stripe.Dispute.Status): 'WON' | 'LOST' | null {
  if (status === 'lost') return 'LOST';
  // An inquiry closed without a chargeback, or one prevented, gives the money back to us.
  if (status === 'won' || status === 'warning_closed' || status === 'prevented') return 'WON';
  return null;
}

/**
 * Chargebacks (`charge.dispute.created`, `.updated`, `.closed`). Each event reads the dispute
 * back from the provider and brings ours to where it is now, so a closed event that arrives
 * before the created one ends the same way, and redeliveries change nothing: open → a DISPUTE
 * hold of its credits, as much as the wallet has available (key `dispute:<id>`); won → the hold
 * released; lost → `debitCredits(holdId:)` of its credits (what was spent becomes owed).
 * A hold taken by a delivery that lost the race to a closing one is released again.
 */
export function createDisputeEvents(deps: {
  stripe: Stripe;
  purchases: PurchaseStore;
  disputes: DisputeStore;
  wallet: WalletClient;
  audit: AuditClient;
  suspension: OwedSuspension;
}) {
  const { stripe, purchases, disputes, wallet, audit, suspension } = deps;

  const auditEvent = (row: DisputeRow, action: string, requestId: string, details = {}) =>
    audit.record({
      teamId: row.teamId,
      action,
      outcome: 'SUCCEEDED',
      targetType: 'Dispute',
      targetId: row.id,
      details: {
        purchaseId: row.purchaseId,
        amountMinor: row.amountMinor,
        credits: row.credits.toString(),
        ...details,
      },
      requestId,
    });

  async function hold(row: DisputeRow, requestId: string): Promise<string> {
    if (row.status !== 'OPEN' || row.holdId || row.credits === 0n) return 'nothing more to hold';
    const taken = await wallet.holdDisputed({
      teamId: row.teamId,
      credits: row.credits,
      key: `dispute:${row.id}`,
      note: `Dispute ${row.id} of purchase ${row.purchaseId}`,
      requestId,
    });
    if (!taken) return 'nothing available to hold';
    const attached = await disputes.attachHold(row.id, taken.id, taken.amount);
    if (!attached && (await disputes.byId(row.id))?.holdId !== taken.id) {
      await wallet.releaseHold(taken.id, requestId);
      return 'closed while holding; hold released';
    }
    return `held ${taken.amount} µcr`;
  }

  async function won(row: DisputeRow, requestId: string): Promise<string> {
    const closed = await disputes.close(row.id, 'WON');
    const now = closed ?? (await disputes.byId(row.id))!;
    if (now.holdId && !now.holdSettled) {
      await wallet.releaseHold(now.holdId, requestId);
      await disputes.markHoldReleased(now.id);
    }
    if (closed) await auditEvent(closed, 'DISPUTE_WON', requestId);
    return `${now.status}; hold released`;
  }

  async function lost(row: DisputeRow, purchase: PurchaseRow, requestId: string) {
    const now = (await disputes.close(row.id, 'LOST')) ?? (await disputes.byId(row.id))!;
    if (now.status !== 'LOST' || now.debitedCredits !== null) return `${now.status} already`;
    const debit =
      now.credits > 0n
        ? await wallet.debitForPayment({
            teamId: now.teamId,
            credits: now.credits,
            key: `dispute:${now.id}`,
            memo: `Lost dispute ${now.id} of purchase ${now.purchaseId}`,
            holdId: now.holdId,
            paymentId: purchase.paymentId ?? now.id,
            purchaseId: now.purchaseId,
            source: 'dispute',
            requestId,
          })
        : null;
    const owed = debit?.owed ?? 0n;
    const cause = {
      teamId: now.teamId,
      owed,
      cause: 'dispute',
      targetType: 'Dispute',
      targetId: now.id,
      requestId,
    } as const;
    await suspension.suspend(cause);
    const done = await disputes.markDebited(now.id, {
      debited: debit?.debited ?? 0n,
      owed,
      transferId: debit?.transactionId ?? null,
    });
    if (done) {
      await auditEvent(done, 'DISPUTE_LOST', requestId, {
        debitedCredits: (done.debitedCredits ?? 0n).toString(),
        owedCredits: (done.owedCredits ?? 0n).toString(),
      });
      await suspension.audit(cause);
    }
    return `LOST; debited ${debit?.debited ?? 0n} µcr, owed ${owed} µcr`;
  }

  async function sync(disputeId: string, requestId: string): Promise<HandledEvent> {
    const provider = await stripe.disputes.retrieve(disputeId);
    const paymentId = idOf(provider.payment_intent);
    const purchase = await paidPurchaseOf(stripe, purchases, paymentId, `dispute ${provider.id}`);
    if (!purchase) {
      return {
        outcome: 'IGNORED',
        detail: `dispute ${provider.id} is not of a purchase's payment`,
      };
    }
    const recorded = (await disputes.record(
      {
        id: provider.id,
        purchaseId: purchase.id,
        amountMinor: provider.amount,
        reason: provider.reason ?? null,
      },
      (taken) => clawbackCredits(taken, provider.amount),
    ))!;
    const row = recorded.dispute;
    const outcome = decided(provider.status);
    const detail =
      outcome === 'WON'
        ? await won(row, requestId)
        : outcome === 'LOST'
          ? await lost(row, purchase, requestId)
          : await hold(row, requestId);
    if (recorded.created) {
      const opened = (await disputes.byId(row.id))!;
      await auditEvent(opened, 'DISPUTE_OPENED', requestId, {
        heldCredits: opened.heldCredits.toString(),
      });
    }
    return { outcome: 'HANDLED', detail: `dispute ${provider.id}: ${detail}` };
  }

  const onDispute = (event: Stripe.Event, context: { requestId: string }) =>
    sync((event.data.object as Stripe.Dispute).id, context.requestId);
  const movesNoCredits = async (): Promise<HandledEvent> => ({
    outcome: 'IGNORED',
    detail:
      "money moved at the provider; the dispute's credits follow its created and closed events",
  });

  const handlers: EventHandlers = {
    'charge.dispute.created': onDispute,
    'charge.dispute.updated': onDispute,
    'charge.dispute.closed': onDispute,
    'charge.dispute.funds_withdrawn': movesNoCredits,
    'charge.dispute.funds_reinstated': movesNoCredits,
  };
  return { sync, handlers };
}
