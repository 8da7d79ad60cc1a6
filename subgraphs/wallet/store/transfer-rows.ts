/** The kinds of movement in the ledger. */
export type TransferKind =
  | 'GRANT'
  | 'HOLD'
  | 'CAPTURE'
  | 'VOID'
  | 'EXPIRE'
  | 'REFUND'
  | 'EXCESS'
  | 'OWED'
  | 'REPAY'
  | 'SPEND'
  | 'DEBIT';

/**
 * What a hold is for. A hold without one is a CALL's. A LEASE (inference's) and a FLOW_RUN
 * (orchestration's: one flow run's `maxCost`, each model step spent from it by inference) are
 * charged by spends. A DISPUTE hold (the billing service's) reserves credits whose payment is
 * disputed: it is never charged as usage, only voided or taken by a DEBIT.
 */
export type HoldPurpose = 'CALL' | 'LEASE' | 'FLOW_RUN' | 'DISPUTE';

/** Where credits granted or debited came from or went: the payment, for reconciliation. */
export interface FundingMetadata {
  paymentId?: string;
  purchaseId?: string;
  source?: string;
}

/** What a hold's metadata may say; usageByModel aggregates it. */
export interface HoldMetadata {
  modelId?: string;
  priceVersion?: number;
  requestId?: string;
  /** One run of a request: a retry under the same idempotency key is a new run. */
  runId?: string;
  note?: string;
  /** Absent for a call's hold (CALL). */
  purpose?: Exclude<HoldPurpose, 'CALL'>;
}

/** What a capture may record: the usage the provider reported. */
export interface CaptureUsage {
  inputTokens: number;
  outputTokens: number;
  /** The model that answered, when a fallback did (not the hold's). */
  modelId?: string | null;
  /** The price version charged, when not the hold's. */
  priceVersion?: number | null;
}

export interface TransferRow {
  id: string;
  seq: string;
  kind: TransferKind;
  walletId: string;
  amount: bigint;
  /** For a resolution: what the hold still reserved (all released). */
  released: bigint;
  pendingId: string | null;
  expiresAt: Date | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
}

export interface TransferRecord {
  id: string;
  seq: string;
  kind: TransferKind;
  wallet_id: string;
  amount: string;
  released: string;
  pending_id: string | null;
  expires_at: Date | null;
  idempotency_key: string | null;
  request_hash: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  created_by: string;
  created_at: Date;
}

export const toTransfer = (r: TransferRecord): TransferRow => ({
  id: r.id,
  seq: String(r.seq),
  kind: r.kind,
  walletId: r.wallet_id,
  amount: BigInt(r.amount),
  released: BigInt(r.released),
  pendingId: r.pending_id,
  expiresAt: r.expires_at,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  memo: r.memo,
  metadata: r.metadata ?? {},
  createdBy: r.created_by,
  createdAt: r.created_at,
});

export type HoldStatus = 'PENDING' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';

/** A hold with what became of it. */
export interface HoldRow {
  id: string;
  walletId: string;
  amount: bigint;
  status: HoldStatus;
  /** What the call was charged once CAPTURED: the capture plus any excess. */
  capturedAmount: bigint | null;
  /** What the call cost beyond the hold (charged from the balance, or owed). */
  excessAmount: bigint | null;
  /** The part of the excess the balance could not cover, recorded as owed. */
  owedAmount: bigint | null;
  /** Charged from the hold by spends so far; what is left of it is `amount - spentAmount`. */
  spentAmount: bigint;
  expiresAt: Date;
  createdAt: Date;
  resolvedAt: Date | null;
  metadata: HoldMetadata;
  idempotencyKey: string | null;
}

/**
 * SELECT list and joins that turn HOLD transfers into HoldRows (alias h: hold, r: resolution,
 * o: the hold while open). What spends took is on the open hold's row, and once it is resolved,
 * it is what the resolution did not release.
 */
export const HOLD_SELECT = `
  SELECT h.id, h.wallet_id, h.amount, h.expires_at, h.created_at, h.metadata, h.idempotency_key,
    r.amount AS captured, r.created_at AS resolved_at, r.metadata->>'excess' AS excess,
    r.metadata->>'owed' AS owed, coalesce(h.amount - r.released, o.spent, 0) AS spent,
    CASE WHEN r.kind = 'CAPTURE' THEN 'CAPTURED' WHEN r.kind = 'VOID' THEN 'VOIDED'
         WHEN r.kind = 'EXPIRE' OR h.expires_at <= ledger_now() THEN 'EXPIRED' ELSE 'PENDING' END AS status
  FROM transfers h
  LEFT JOIN transfers r ON r.pending_id = h.id AND r.kind IN ('CAPTURE', 'VOID', 'EXPIRE')
  LEFT JOIN open_holds o ON o.hold_id = h.id`;

export interface HoldRecord {
  id: string;
  wallet_id: string;
  amount: string;
  expires_at: Date;
  created_at: Date;
  metadata: HoldMetadata;
  idempotency_key: string | null;
  captured: string | null;
  excess: string | null;
  owed: string | null;
  spent: string;
  resolved_at: Date | null;
  status: HoldStatus;
}

export const toHold = (r: HoldRecord): HoldRow => {
  const captured = r.status === 'CAPTURED' && r.captured !== null ? BigInt(r.captured) : null;
  const excess = captured === null ? null : BigInt(r.excess ?? 0);
  return {
    id: r.id,
    walletId: r.wallet_id,
    amount: BigInt(r.amount),
    status: r.status,
    capturedAmount: captured === null || excess === null ? null : captured + excess,
    excessAmount: excess,
    owedAmount: captured === null ? null : BigInt(r.owed ?? 0),
    spentAmount: BigInt(r.spent),
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    metadata: r.metadata ?? {},
    idempotencyKey: r.idempotency_key,
  };
};

/** One charge against a hold (a SPEND and what it charged beyond the hold). */
export interface SpendRow {
  id: string;
  holdId: string;
  walletId: string;
  /** Everything charged: what the hold covered plus the excess beyond it. */
  amount: bigint;
  /** What the hold could not cover: from the balance, and owed for the rest. */
  excessAmount: bigint;
  /** The part of the excess the balance could not cover, recorded as owed. */
  owedAmount: bigint;
  createdAt: Date;
}

/** A SPEND transfer as a SpendRow: it records its excess and owed part in its metadata. */
export const toSpend = (t: TransferRow): SpendRow => {
  const excess = BigInt((t.metadata.excess as string | undefined) ?? 0);
  return {
    id: t.id,
    holdId: t.pendingId as string,
    walletId: t.walletId,
    amount: t.amount + excess,
    excessAmount: excess,
    owedAmount: BigInt((t.metadata.owed as string | undefined) ?? 0),
    createdAt: t.createdAt,
  };
};
