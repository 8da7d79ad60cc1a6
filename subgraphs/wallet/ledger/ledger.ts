import type { Db, Queryable } from '../../../lib/db/index.js';
import { badUserInput, notFound } from '../../../lib/errors.js';
import { fundingAccountFor, requestHash, revenueAccountFor } from './accounts.js';
import { captureHoldBatch, type CaptureRequest } from './capture-batch.js';
import { authorizeHoldBatch, type HoldRequest } from './hold-batch.js';
import { chargeExcess, repayOwed, splitExcess } from './excess.js';
import { resolveHold } from './hold-resolution.js';
import { createKeyedBatcher } from './keyed-batcher.js';
import {
  budgetExceeded,
  captureExceedsHold,
  holdAlreadyResolved,
  holdExpired,
  idempotencyConflict,
  insufficientFunds,
  refundExceedsCapture,
  uniqueViolation,
} from './ledger-errors.js';
import { createLedgerReads } from './ledger-reads.js';
import {
  toTransfer,
  type CaptureUsage,
  type HoldMetadata,
  type HoldRow,
  type TransferKind,
  type TransferRecord,
  type TransferRow,
} from './transfer-rows.js';
import {
  checkAmount,
  checkExpiry,
  checkIdempotencyKey,
  checkMemo,
  checkThresholds,
} from './validation.js';

/**
 * The wallet's double-entry ledger. Every operation is one statement (or, for refunds, one short
 * transaction) whose conditions are checked under the row locks it takes — never read, then
 * written — so concurrent callers cannot overspend, double-resolve or double-apply a key.
 */
export function createLedger(db: Db) {
  const reads = createLedgerReads(db);
  // Group commit per wallet: concurrent holds (and captures) of one wallet share one transaction.
  const holdBatches = createKeyedBatcher<HoldRequest, HoldRow>((walletId, batch) =>
    authorizeHoldBatch(db, walletId, batch),
  );
  const captureBatches = createKeyedBatcher<CaptureRequest, HoldRow>((walletId, batch) =>
    captureHoldBatch(db, reads, walletId, batch),
  );

  /** The transfer an idempotency key already made, if any; a different request is a conflict. */
  const replay = async (
    walletId: string,
    kind: TransferKind,
    key: string,
    hash: string,
    q: Queryable = db,
  ) => {
    const { rows } = await q.query<TransferRecord>(
      'SELECT * FROM transfers WHERE wallet_id = $1 AND kind = $2 AND idempotency_key = $3',
      [walletId, kind, key],
    );
    const row = rows[0] && toTransfer(rows[0]);
    if (row && row.requestHash !== hash) throw idempotencyConflict(key);
    return row;
  };

  /** Runs a write; a key applied concurrently by another caller turns into that caller's result. */
  const onceByKey = async <T>(
    write: () => Promise<T>,
    again: () => Promise<T | undefined>,
  ): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (uniqueViolation(error) !== 'transfers_idempotency_key') throw error;
      const result = await again();
      if (result === undefined) throw error;
      return result;
    }
  };

  const requireHold = async (holdId: string): Promise<HoldRow> => {
    const [hold] = await reads.holdsByIds([holdId]);
    if (!hold) throw notFound('Hold', holdId);
    return hold;
  };

  /** Why a hold could not be resolved: already resolved, or expired. */
  const explainUnresolvable = async (holdId: string): Promise<never> => {
    const hold = await requireHold(holdId);
    if (hold.status === 'EXPIRED') throw holdExpired(hold.expiresAt);
    throw holdAlreadyResolved(hold.status);
  };

  /** Pays what the wallet owes from credits that just arrived (a grant); most wallets owe nothing. */
  const settleOwed = async (walletId: string, paidBy: string, actor: string) => {
    const { rows } = await db.query<{ owed: string }>('SELECT owed FROM accounts WHERE id = $1', [
      walletId,
    ]);
    if (BigInt(rows[0]?.owed ?? 0) === 0n) return;
    await db.transaction((tx) => repayOwed(tx, { walletId, paidBy, actor }));
  };

  return {
    reads,

    /** Adds credits to a wallet from the funding account. */
    async grant(input: {
      walletId: string;
      amount: bigint;
      idempotencyKey: string;
      memo?: string | null;
      actor: string;
    }) {
      checkAmount(input.amount);
      checkIdempotencyKey(input.idempotencyKey);
      const memo = checkMemo(input.memo);
      const hash = requestHash({ walletId: input.walletId, amount: input.amount, memo });
      const earlier = await replay(input.walletId, 'GRANT', input.idempotencyKey, hash);
      if (earlier) return earlier;
      await db.query(
        `INSERT INTO accounts (id, kind) VALUES ($1, 'WALLET') ON CONFLICT (id) DO NOTHING`,
        [input.walletId],
      );
      const granted = await onceByKey(
        async () => {
          const { rows } = await db.query<TransferRecord>(
            `WITH w AS (
               UPDATE accounts SET credits_posted = credits_posted + $3 WHERE id = $1 RETURNING id
             ), f AS (
               UPDATE accounts SET debits_posted = debits_posted + $3
               WHERE id = $2 AND EXISTS (SELECT 1 FROM w) RETURNING id
             )
             INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
               idempotency_key, request_hash, memo, created_by)
             SELECT 'GRANT', $1, $2, $1, $3, $4, $5, $6, $7 FROM w
             RETURNING *`,
            [
              input.walletId,
              fundingAccountFor(input.walletId),
              input.amount.toString(),
              input.idempotencyKey,
              hash,
              memo,
              input.actor,
            ],
          );
          return toTransfer(rows[0] as TransferRecord);
        },
        () => replay(input.walletId, 'GRANT', input.idempotencyKey, hash),
      );
      await settleOwed(input.walletId, granted.id, input.actor);
      return granted;
    },

    /**
     * Reserves credits for a call: refused with INSUFFICIENT_FUNDS or BUDGET_EXCEEDED (with the
     * figures) when the wallet cannot cover it. Expires at the ledger's clock.
     */
    async authorizeHold(input: {
      walletId: string;
      amount: bigint;
      idempotencyKey: string;
      expiresInSeconds: number;
      metadata?: HoldMetadata | null;
      actor: string;
    }): Promise<HoldRow> {
      checkAmount(input.amount);
      checkIdempotencyKey(input.idempotencyKey);
      checkExpiry(input.expiresInSeconds);
      const metadata = input.metadata ?? {};
      const hash = requestHash({
        walletId: input.walletId,
        amount: input.amount,
        expiresInSeconds: input.expiresInSeconds,
        metadata,
      });
      const single = async (): Promise<HoldRow> => {
        const asHold = async (row: TransferRow | undefined) =>
          row ? requireHold(row.id) : undefined;
        // No lookup first: a key used before makes the write fail on its unique index, and onceByKey
        // then returns (or refuses) the earlier hold.

        const attempt = () =>
          onceByKey(
            async () => {
              const { rows } = await db.query<{ id: string; expires_at: Date; created_at: Date }>(
                `WITH w AS (
                 UPDATE accounts SET debits_pending = debits_pending + $2
                 WHERE id = $1 AND kind = 'WALLET'
                   AND credits_posted - debits_posted - debits_pending - owed >= $2
                   AND (budget_limit IS NULL OR
                        (CASE WHEN spend_month = date_trunc('month', ledger_now())::date
                              THEN month_spend ELSE 0 END) + debits_pending + $2 <= budget_limit)
                 RETURNING id
               ), r AS (
                 UPDATE accounts SET credits_pending = credits_pending + $2
                 WHERE id = $3 AND EXISTS (SELECT 1 FROM w) RETURNING id
               ), t AS (
                 INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
                   expires_at, idempotency_key, request_hash, metadata, created_by)
                 SELECT 'HOLD', $1, $1, $3, $2, ledger_now() + make_interval(secs => $4), $5, $6, $7, $8
                 FROM w
                 RETURNING id, wallet_id, expires_at, created_at
               ), o AS (
                 INSERT INTO open_holds (hold_id, wallet_id, expires_at)
                 SELECT id, wallet_id, expires_at FROM t
               )
               SELECT id, expires_at, created_at FROM t`,
                [
                  input.walletId,
                  input.amount.toString(),
                  revenueAccountFor(input.walletId),
                  input.expiresInSeconds,
                  input.idempotencyKey,
                  hash,
                  JSON.stringify(metadata),
                  input.actor,
                ],
              );
              const row = rows[0];
              return row
                ? {
                    id: row.id,
                    walletId: input.walletId,
                    amount: input.amount,
                    status: 'PENDING' as const,
                    capturedAmount: null,
                    excessAmount: null,
                    owedAmount: null,
                    expiresAt: row.expires_at,
                    createdAt: row.created_at,
                    resolvedAt: null,
                    metadata,
                    idempotencyKey: input.idempotencyKey,
                  }
                : undefined;
            },
            async () => asHold(await replay(input.walletId, 'HOLD', input.idempotencyKey, hash)),
          );
        for (let tries = 0; ; tries += 1) {
          const hold = await attempt();
          if (hold) return hold;
          // A concurrent duplicate of this very hold may have taken the funds: its hold is ours.
          const raced = await asHold(
            await replay(input.walletId, 'HOLD', input.idempotencyKey, hash),
          );
          if (raced) return raced;
          // Refused: say why, with the figures the caller needs. If credits were released since the
          // refusal, the figures would contradict it: try once more instead.
          const [balance] = await reads.balances([input.walletId]);
          const withinBudget =
            balance?.budgetLimit == null ||
            balance.monthToDateSpend + balance.held + input.amount <= balance.budgetLimit;
          if (balance && balance.available >= input.amount && withinBudget && tries === 0) continue;
          if (!balance || balance.available < input.amount || balance.budgetLimit === null) {
            throw insufficientFunds(balance?.available ?? 0n, input.amount);
          }
          throw budgetExceeded(
            balance.budgetLimit,
            balance.monthToDateSpend,
            balance.held,
            input.amount,
          );
        }
      };
      return holdBatches(input.walletId, {
        amount: input.amount,
        idempotencyKey: input.idempotencyKey,
        requestHash: hash,
        expiresInSeconds: input.expiresInSeconds,
        metadata,
        actor: input.actor,
        single,
      });
    },

    /**
     * Charges `amount` and releases the rest of the hold. Above the hold, CAPTURE_EXCEEDS_HOLD,
     * unless `chargeExcess`: then the hold is captured whole and the difference charged beyond it
     * (see excess.ts), in one transaction.
     */
    async captureHold(input: {
      holdId: string;
      amount: bigint;
      idempotencyKey: string;
      usage?: CaptureUsage | null;
      chargeExcess?: boolean;
      actor: string;
    }) {
      checkIdempotencyKey(input.idempotencyKey);
      if (input.amount < 0n)
        throw badUserInput('amount must not be negative.', { field: 'amount' });
      const hold = await requireHold(input.holdId);
      const hash = requestHash({
        holdId: input.holdId,
        amount: input.amount,
        usage: input.usage ?? null,
      });
      // A reused key answers for itself first (the original, or a conflict) before any other check.
      const earlier = await replay(hold.walletId, 'CAPTURE', input.idempotencyKey, hash);
      if (earlier) return requireHold(input.holdId);
      const excess = input.amount - hold.amount;
      if (excess > 0n && !input.chargeExcess) throw captureExceedsHold(hold.amount, input.amount);

      const metadata: Record<string, unknown> = input.usage ? { ...input.usage } : {};
      const capture = (q: Queryable, amount: bigint, recorded = metadata) =>
        resolveHold(q, {
          kind: 'CAPTURE',
          target: { holdId: input.holdId, onlyIfUnexpired: true },
          amount,
          idempotencyKey: input.idempotencyKey,
          requestHash: hash,
          metadata: recorded,
          actor: input.actor,
        });
      const write =
        excess > 0n
          ? () =>
              db.transaction(async (tx) => {
                const split = await splitExcess(tx, hold.walletId, excess);
                // The capture records its excess, so reading a hold needs no other row.
                const captured = await capture(tx, hold.amount, {
                  ...metadata,
                  excess: excess.toString(),
                  owed: split.owed.toString(),
                });
                if (captured) {
                  await chargeExcess(tx, {
                    walletId: hold.walletId,
                    holdId: hold.id,
                    split,
                    metadata,
                    actor: input.actor,
                  });
                }
                return captured;
              })
          : () => capture(db, input.amount);
      const single = async (): Promise<HoldRow> => {
        const captured = await onceByKey(write, () =>
          replay(hold.walletId, 'CAPTURE', input.idempotencyKey, hash),
        );
        if (!captured) {
          // A concurrent duplicate of this very capture may have won the race.
          if (await replay(hold.walletId, 'CAPTURE', input.idempotencyKey, hash))
            return requireHold(input.holdId);
          return explainUnresolvable(input.holdId);
        }
        if (excess > 0n) return requireHold(input.holdId);
        return {
          ...hold,
          status: 'CAPTURED',
          capturedAmount: captured.amount,
          excessAmount: 0n,
          owedAmount: 0n,
          resolvedAt: captured.createdAt,
        };
      };
      // Beyond the hold is rare: it takes its own transaction rather than the batch.
      if (excess > 0n) return single();
      return captureBatches(hold.walletId, {
        holdId: input.holdId,
        amount: input.amount,
        idempotencyKey: input.idempotencyKey,
        requestHash: hash,
        metadata,
        actor: input.actor,
        single,
      });
    },

    /** Releases a hold without charging. Voiding a voided hold changes nothing and succeeds. */
    async voidHold(input: { holdId: string; actor: string }): Promise<HoldRow> {
      const hold = await requireHold(input.holdId);
      if (hold.status === 'VOIDED') return hold;
      const voided = await resolveHold(db, {
        kind: 'VOID',
        target: { holdId: input.holdId, onlyIfUnexpired: false },
        amount: 0n,
        idempotencyKey: null,
        requestHash: null,
        metadata: {},
        actor: input.actor,
      });
      if (!voided) {
        const now = await requireHold(input.holdId);
        if (now.status === 'VOIDED') return now;
        throw holdAlreadyResolved(now.status);
      }
      return requireHold(input.holdId);
    },

    /** Releases holds past their expiry, one statement each, exactly once; returns how many. */
    async sweepExpired(limit = 500, actor = 'system:sweeper'): Promise<number> {
      let released = 0;
      while (released < limit) {
        const expired = await resolveHold(db, {
          kind: 'EXPIRE',
          target: { nextExpired: true },
          amount: 0n,
          idempotencyKey: null,
          requestHash: null,
          metadata: {},
          actor,
        });
        if (!expired) break;
        released += 1;
      }
      return released;
    },

    /** Returns part or all of a captured charge to the wallet; refunds never exceed the capture. */
    async refund(input: {
      captureId: string;
      amount: bigint;
      idempotencyKey: string;
      memo?: string | null;
      actor: string;
    }) {
      checkAmount(input.amount);
      checkIdempotencyKey(input.idempotencyKey);
      const memo = checkMemo(input.memo);
      const hash = requestHash({ captureId: input.captureId, amount: input.amount, memo });
      const run = () =>
        db.transaction(async (tx) => {
          // The capture's row lock serializes refunds of one capture; the sum below is read after it.
          const { rows } = await tx.query<TransferRecord>(
            `SELECT * FROM transfers WHERE id = $1 AND kind = 'CAPTURE' FOR NO KEY UPDATE`,
            [input.captureId],
          );
          const capture = rows[0] && toTransfer(rows[0]);
          if (!capture) throw notFound('Capture', input.captureId);
          const earlier = await replay(capture.walletId, 'REFUND', input.idempotencyKey, hash, tx);
          if (earlier) return earlier;
          const { rows: sums } = await tx.query<{ refunded: string }>(
            `SELECT coalesce(sum(amount), 0) AS refunded FROM transfers WHERE pending_id = $1 AND kind = 'REFUND'`,
            [input.captureId],
          );
          const refundable = capture.amount - BigInt(sums[0]?.refunded ?? 0);
          if (input.amount > refundable) throw refundExceedsCapture(refundable, input.amount);
          const revenue = revenueAccountFor(capture.walletId);
          await tx.query(
            `UPDATE accounts SET credits_posted = credits_posted + $2,
               month_spend = CASE WHEN spend_month = date_trunc('month', ledger_now())::date
                                  THEN greatest(month_spend - $2, 0) ELSE month_spend END
             WHERE id = $1`,
            [capture.walletId, input.amount.toString()],
          );
          await tx.query('UPDATE accounts SET debits_posted = debits_posted + $2 WHERE id = $1', [
            revenue,
            input.amount.toString(),
          ]);
          const inserted = await tx.query<TransferRecord>(
            `INSERT INTO transfers (kind, wallet_id, debit_account_id, credit_account_id, amount,
               pending_id, idempotency_key, request_hash, memo, created_by)
             VALUES ('REFUND', $1, $2, $1, $3, $4, $5, $6, $7, $8) RETURNING *`,
            [
              capture.walletId,
              revenue,
              input.amount.toString(),
              input.captureId,
              input.idempotencyKey,
              hash,
              memo,
              input.actor,
            ],
          );
          const refund = toTransfer(inserted.rows[0] as TransferRecord);
          await repayOwed(tx, {
            walletId: capture.walletId,
            paidBy: refund.id,
            actor: input.actor,
          });
          return refund;
        });
      return onceByKey(run, run);
    },

    /** Sets or clears (null) a wallet's monthly budget and its alert thresholds (percent). */
    async setBudget(input: {
      walletId: string;
      monthlyLimit: bigint | null;
      alertThresholds: number[];
    }) {
      if (input.monthlyLimit !== null && input.monthlyLimit < 0n) {
        throw badUserInput('monthlyLimit must not be negative.', { field: 'monthlyLimit' });
      }
      const thresholds = checkThresholds(input.alertThresholds);
      await db.query(
        `INSERT INTO accounts (id, kind, budget_limit, alert_thresholds) VALUES ($1, 'WALLET', $2, $3)
         ON CONFLICT (id) DO UPDATE SET budget_limit = EXCLUDED.budget_limit,
           alert_thresholds = EXCLUDED.alert_thresholds`,
        [input.walletId, input.monthlyLimit?.toString() ?? null, thresholds],
      );
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
