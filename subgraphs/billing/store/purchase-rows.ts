export type PurchaseKind = 'CHECKOUT' | 'AUTO_RECHARGE' | 'RECOVERED';
export type PurchaseStatus = 'OPEN' | 'PROCESSING' | 'PAID' | 'FAILED' | 'EXPIRED';

/** A purchase of credits (store/migrations.ts, purchases). Money in minor units, credits in µcr. */
export interface PurchaseRow {
  id: string;
  /** Order of creation; pages use it as their cursor. */
  seq: string;
  teamId: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  currency: string;
  requestedAmountMinor: number;
  packId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  checkoutSessionId: string | null;
  checkoutUrl: string | null;
  checkoutExpiresAt: Date | null;
  paymentId: string | null;
  paidAmountMinor: number | null;
  grantedCredits: bigint | null;
  grantTransferId: string | null;
  refundedAmountMinor: number;
  clawedBackCredits: bigint;
  owedCredits: bigint;
  createdBy: string;
  createdAt: Date;
  paidAt: Date | null;
  updatedAt: Date;
}

export interface PurchaseRecord {
  id: string;
  seq: string;
  team_id: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  currency: string;
  requested_amount_minor: string;
  pack_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  checkout_session_id: string | null;
  checkout_url: string | null;
  checkout_expires_at: Date | null;
  payment_id: string | null;
  paid_amount_minor: string | null;
  granted_credits: string | null;
  grant_transfer_id: string | null;
  refunded_amount_minor: string;
  clawed_back_credits: string;
  owed_credits: string;
  created_by: string;
  created_at: Date;
  paid_at: Date | null;
  updated_at: Date;
}

const orNull = <T>(value: string | null, as: (v: string) => T): T | null =>
  value === null ? null : as(value);

export const toPurchase = (r: PurchaseRecord): PurchaseRow => ({
  id: r.id,
  seq: String(r.seq),
  teamId: r.team_id,
  kind: r.kind,
  status: r.status,
  currency: r.currency,
  requestedAmountMinor: Number(r.requested_amount_minor),
  packId: r.pack_id,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  checkoutSessionId: r.checkout_session_id,
  checkoutUrl: r.checkout_url,
  checkoutExpiresAt: r.checkout_expires_at,
  paymentId: r.payment_id,
  paidAmountMinor: orNull(r.paid_amount_minor, Number),
  grantedCredits: orNull(r.granted_credits, BigInt),
  grantTransferId: r.grant_transfer_id,
  refundedAmountMinor: Number(r.refunded_amount_minor),
  clawedBackCredits: BigInt(r.clawed_back_credits),
  owedCredits: BigInt(r.owed_credits),
  createdBy: r.created_by,
  createdAt: r.created_at,
  paidAt: r.paid_at,
  updatedAt: r.updated_at,
});
