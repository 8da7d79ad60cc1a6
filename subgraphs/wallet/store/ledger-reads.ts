import type { Queryable } from '../../../lib/db/index.js';
import { sqlConditions } from '../../../lib/db/sql-conditions.js';
import { MONTH_TO_DATE } from './account-figures.js';
import {
  HOLD_SELECT,
  toHold,
  toTransfer,
  type HoldRecord,
  type HoldRow,
  type HoldStatus,
  type TransferKind,
  type TransferRecord,
  type TransferRow,
} from './transfer-rows.js';

/** A wallet's figures; a team that never received credits has a wallet of zeros. */
export interface WalletRow {
  id: string;
  /** Settled credits: grants and refunds minus captures. */
  posted: bigint;
  /** Reserved by open holds. */
  held: bigint;
  /** What new holds may take: posted minus held minus owed (never below zero). */
  available: bigint;
  /** Charges beyond holds that the balance could not cover; paid from the next credits. */
  owed: bigint;
  /** The part of `held` that dispute holds reserve (not counted by the budget). */
  disputeHeld: bigint;
  budgetLimit: bigint | null;
  alertThresholds: number[];
  /** Captured minus refunded in the current UTC month. */
  monthToDateSpend: bigint;
  /** A suspended wallet takes no holds for calls. */
  suspended: boolean;
  suspendedReason: string | null;
  /** Crossing below it is recorded (balance_crossings); null: none. */
  lowBalanceThreshold: bigint | null;
}

interface AccountRecord {
  id: string;
  credits_posted: string;
  debits_posted: string;
  debits_pending: string;
  owed: string;
  dispute_held: string;
  budget_limit: string | null;
  alert_thresholds: number[];
  month_to_date: string;
  suspended: boolean;
  suspended_reason: string | null;
  low_balance_threshold: string | null;
}

export interface TransactionFilter {
  kinds?: TransferKind[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface ModelUsageRow {
  modelId: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  spend: bigint;
  priceVersions: number[];
}

function transactionWhere(
  walletId: string,
  filter: TransactionFilter,
  afterSeq: string | null,
  params: unknown[],
) {
  const where = sqlConditions(params);
  where.add((p) => `wallet_id = ${p}`, walletId);
  if (filter.kinds?.length) where.add((p) => `kind = ANY(${p}::text[])`, filter.kinds);
  if (filter.from) where.add((p) => `created_at >= ${p}`, filter.from);
  if (filter.to) where.add((p) => `created_at < ${p}`, filter.to);
  if (afterSeq !== null) where.add((p) => `seq < ${p}`, afterSeq);
  return where.joined();
}

/**
 * Everything the wallet subgraph reads from the ledger. Long only as a list is: one factory over
 * the Queryable, each method one query and its row mapping.
 */
export function createLedgerReads(db: Queryable) {
  return {
    async balances(walletIds: readonly string[]): Promise<WalletRow[]> {
      const { rows } = await db.query<AccountRecord>(
        `SELECT id, credits_posted, debits_posted, debits_pending, owed, dispute_held, budget_limit,
           alert_thresholds, ${MONTH_TO_DATE} AS month_to_date, suspended, suspended_reason,
           low_balance_threshold
         FROM accounts WHERE id = ANY($1::uuid[]) AND kind = 'WALLET'`,
        [walletIds],
      );
      const found = new Map(rows.map((r) => [r.id, r]));
      return walletIds.map((id) => {
        const r = found.get(id);
        const posted = BigInt(r?.credits_posted ?? 0) - BigInt(r?.debits_posted ?? 0);
        const held = BigInt(r?.debits_pending ?? 0);
        const owed = BigInt(r?.owed ?? 0);
        const available = posted - held - owed;
        return {
          id,
          posted,
          held,
          available: available > 0n ? available : 0n,
          owed,
          disputeHeld: BigInt(r?.dispute_held ?? 0),
          budgetLimit: r?.budget_limit == null ? null : BigInt(r.budget_limit),
          alertThresholds: r?.alert_thresholds ?? [],
          monthToDateSpend: BigInt(r?.month_to_date ?? 0),
          suspended: r?.suspended ?? false,
          suspendedReason: r?.suspended_reason ?? null,
          lowBalanceThreshold:
            r?.low_balance_threshold == null ? null : BigInt(r.low_balance_threshold),
        };
      });
    },

    async holdsByIds(ids: readonly string[]): Promise<HoldRow[]> {
      const { rows } = await db.query<HoldRecord>(
        `${HOLD_SELECT} WHERE h.kind = 'HOLD' AND h.id = ANY($1::uuid[])`,
        [ids],
      );
      return rows.map(toHold);
    },

    /** The hold a wallet made under an idempotency key, if any. */
    async holdByKey(walletId: string, idempotencyKey: string): Promise<HoldRow | undefined> {
      const { rows } = await db.query<HoldRecord>(
        `${HOLD_SELECT} WHERE h.kind = 'HOLD' AND h.wallet_id = $1 AND h.idempotency_key = $2`,
        [walletId, idempotencyKey],
      );
      return rows[0] && toHold(rows[0]);
    },

    /** A wallet's holds, newest first, optionally of one status. */
    async holds(walletId: string, status: HoldStatus | null, limit: number): Promise<HoldRow[]> {
      const { rows } = await db.query<HoldRecord>(
        `SELECT * FROM (${HOLD_SELECT} WHERE h.kind = 'HOLD' AND h.wallet_id = $1
           ORDER BY h.seq DESC) x
         WHERE $2::text IS NULL OR x.status = $2 LIMIT $3`,
        [walletId, status, limit],
      );
      return rows.map(toHold);
    },

    /** A page of a wallet's transfers, newest first (seq descending), after a cursor. */
    async transactions(
      walletId: string,
      filter: TransactionFilter,
      afterSeq: string | null,
      limit: number,
    ) {
      const params: unknown[] = [];
      const where = transactionWhere(walletId, filter, afterSeq, params);
      params.push(limit);
      const { rows } = await db.query<TransferRecord>(
        `SELECT * FROM transfers WHERE ${where} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toTransfer);
    },

    async countTransactions(walletId: string, filter: TransactionFilter): Promise<number> {
      const params: unknown[] = [];
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM transfers WHERE ${transactionWhere(walletId, filter, null, params)}`,
        params,
      );
      return Number(rows[0]?.n ?? 0);
    },

    async transfersByIds(ids: readonly string[]): Promise<TransferRow[]> {
      const { rows } = await db.query<TransferRecord>(
        'SELECT * FROM transfers WHERE id = ANY($1::uuid[])',
        [ids],
      );
      return rows.map(toTransfer);
    },

    /**
     * Charges per model between `from` (inclusive) and `to` (exclusive): each CAPTURE and each
     * SPEND is one call, of the model named in its usage (a fallback) or else in the hold's
     * metadata, with the usage it recorded; spend is what the calls were charged (from the hold
     * and any excess beyond it), net of refunds.
     */
    async usageByModel(walletId: string, from: Date, to: Date): Promise<ModelUsageRow[]> {
      const { rows } = await db.query<{
        model_id: string;
        calls: string;
        input_tokens: string;
        output_tokens: string;
        spend: string;
        price_versions: number[];
      }>(
        `SELECT coalesce(c.metadata->>'modelId', h.metadata->>'modelId') AS model_id, count(*) AS calls,
           coalesce(sum((c.metadata->>'inputTokens')::bigint), 0) AS input_tokens,
           coalesce(sum((c.metadata->>'outputTokens')::bigint), 0) AS output_tokens,
           sum(c.amount + coalesce((c.metadata->>'excess')::bigint, 0))
             - coalesce(sum(rf.refunded), 0) AS spend,
           array_remove(array_agg(DISTINCT coalesce(c.metadata->>'priceVersion',
             h.metadata->>'priceVersion')::int), NULL) AS price_versions
         FROM transfers c
         JOIN transfers h ON h.id = c.pending_id
         LEFT JOIN (SELECT pending_id, sum(amount) AS refunded FROM transfers
                    WHERE kind = 'REFUND' GROUP BY pending_id) rf ON rf.pending_id = c.id
         WHERE c.kind IN ('CAPTURE', 'SPEND') AND c.wallet_id = $1 AND c.created_at >= $2 AND c.created_at < $3
           AND h.metadata ? 'modelId'
         GROUP BY 1 ORDER BY 5 DESC, 1`,
        [walletId, from, to],
      );
      return rows.map((r) => ({
        modelId: r.model_id,
        calls: Number(r.calls),
        inputTokens: Number(r.input_tokens),
        outputTokens: Number(r.output_tokens),
        spend: BigInt(r.spend),
        priceVersions: r.price_versions ?? [],
      }));
    },
  };
}

export type LedgerReads = ReturnType<typeof createLedgerReads>;
