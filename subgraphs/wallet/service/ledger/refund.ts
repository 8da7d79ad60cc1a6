import { notFound } from '../../../../lib/errors.js';
import { insertRefund, lockCapture, refundedOf } from '../../store/ledger-writes.js';
import type { TransferRow } from '../../store/transfer-rows.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { repayOwed } from './excess.js';
import { refundExceedsCapture } from './ledger-errors.js';
import { checkAmount, checkIdempotencyKey, checkMemo } from './validation.js';

export interface RefundInput {
  captureId: string;
  amount: bigint;
  idempotencyKey: string;
  memo?: string | null;
  actor: string;
}

/**
 * Returns part or all of a captured charge to the wallet, in one transaction under the capture's
 * row lock; refunds never exceed the capture. What the wallet owes is paid from the refund first.
 */
export async function refund(core: LedgerCore, input: RefundInput): Promise<TransferRow> {
  checkAmount(input.amount);
  checkIdempotencyKey(input.idempotencyKey);
  const memo = checkMemo(input.memo);
  const { captureId, amount, idempotencyKey, actor } = input;
  const hash = requestHash({ captureId, amount, memo });
  const run = () =>
    core.db.transaction(async (tx) => {
      const capture = await lockCapture(tx, captureId);
      if (!capture) throw notFound('Capture', captureId);
      const earlier = await core.replay(capture.walletId, 'REFUND', idempotencyKey, hash, tx);
      if (earlier) return earlier;
      const refundable = capture.amount - (await refundedOf(tx, captureId));
      if (amount > refundable) throw refundExceedsCapture(refundable, amount);
      const made = await insertRefund(tx, {
        capture,
        amount,
        idempotencyKey,
        requestHash: hash,
        memo,
        actor,
      });
      await repayOwed(tx, { walletId: capture.walletId, paidBy: made.id, actor });
      return made;
    });
  // A concurrent refund with the same key: run again, and the replay above answers.
  return onceByKey(run, run);
}
