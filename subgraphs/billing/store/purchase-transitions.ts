import type { Queryable } from '../../../lib/db/index.js';
import { toPurchase, type PurchaseRecord, type PurchaseRow } from './purchase-rows.js';

/** What a confirmed, granted payment writes on its purchase. */
export interface PaidPurchase {
  purchaseId: string;
  paymentId: string;
  /** What the provider confirmed, in the minor unit. */
  paidAmountMinor: number;
  /** What the wallet granted for it (its answer, not what was asked). */
  grantedCredits: bigint;
  /** The wallet's GRANT; null only when nothing was granted (a zero amount). */
  grantTransferId: string | null;
}

/**
 * A purchase's status changes. Status only moves forward: OPEN → PROCESSING → PAID, or to FAILED
 * or EXPIRED from where a payment may still fail; each statement is one conditional UPDATE that
 * returns the row it changed, or null when the purchase was already past that point (so an event
 * delivered late, twice or out of order changes nothing). PAID wins over FAILED and EXPIRED: it is
 * written only after the wallet granted, and the ledger is what happened.
 */
export function createPurchaseTransitions(db: Queryable) {
  const update = async (sql: string, params: unknown[]): Promise<PurchaseRow | null> => {
    const { rows } = await db.query<PurchaseRecord>(sql, params);
    return rows[0] ? toPurchase(rows[0]) : null;
  };

  return {
    /** The checkout session made for an OPEN purchase (null: not OPEN, or another session). */
    attachCheckout: (
      purchaseId: string,
      checkout: { sessionId: string; url: string; expiresAt: Date },
    ) =>
      update(
        `UPDATE purchases SET checkout_session_id = $2, checkout_url = $3,
           checkout_expires_at = $4, updated_at = now()
         WHERE id = $1 AND status = 'OPEN'
           AND (checkout_session_id IS NULL OR checkout_session_id = $2)
         RETURNING *`,
        [purchaseId, checkout.sessionId, checkout.url, checkout.expiresAt],
      ),

    /** Paid by a method that confirms later: waiting for the money. */
    markProcessing: (purchaseId: string, paymentId: string | null) =>
      update(
        `UPDATE purchases SET status = 'PROCESSING', payment_id = COALESCE(payment_id, $2),
           updated_at = now()
         WHERE id = $1 AND status = 'OPEN' RETURNING *`,
        [purchaseId, paymentId],
      ),

    /** Granted: null when it was already PAID (an earlier delivery got there first). */
    markPaid: (paid: PaidPurchase) =>
      update(
        `UPDATE purchases SET status = 'PAID', payment_id = $2, paid_amount_minor = $3,
           granted_credits = $4, grant_transfer_id = $5, paid_at = now(), updated_at = now()
         WHERE id = $1 AND status <> 'PAID' RETURNING *`,
        [
          paid.purchaseId,
          paid.paymentId,
          paid.paidAmountMinor,
          paid.grantedCredits.toString(),
          paid.grantTransferId,
        ],
      ),

    /** The payment failed; nothing was granted. */
    markFailed: (purchaseId: string, paymentId: string | null) =>
      update(
        `UPDATE purchases SET status = 'FAILED', payment_id = COALESCE(payment_id, $2),
           updated_at = now()
         WHERE id = $1 AND status IN ('OPEN', 'PROCESSING') RETURNING *`,
        [purchaseId, paymentId],
      ),

    /** The checkout expired unpaid. */
    markExpired: (purchaseId: string) =>
      update(
        `UPDATE purchases SET status = 'EXPIRED', updated_at = now()
         WHERE id = $1 AND status = 'OPEN' RETURNING *`,
        [purchaseId],
      ),
  };
}

export type PurchaseTransitions = ReturnType<typeof createPurchaseTransitions>;
