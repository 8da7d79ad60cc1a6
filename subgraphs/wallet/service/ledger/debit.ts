import { badUserInput } from '../../../../lib/errors.js';
import {
  insertDebit,
  lockHoldToRelease,
  toDebit,
  voidHoldForDebit,
  type DebitRow,
} from '../../store/debit-statements.js';
import { lockAvailable } from '../../store/excess-statements.js';
import { ensureWalletAccount } from '../../store/ledger-writes.js';
import type { FundingMetadata } from '../../store/transfer-rows.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { checkAmount, checkFundingMetadata, checkIdempotencyKey, checkMemo } from './validation.js';

export interface DebitInput {
  walletId: string;
  amount: bigint;
  idempotencyKey: string;
  memo?: string | null;
  /** A dispute hold of the wallet, released in the debit's own transaction. */
  holdId?: string | null;
  /** The payment the credits went back to. */
  metadata?: FundingMetadata | null;
  actor: string;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Takes credits back out of a wallet to its funding shard (the money went back to the payer: a
 * refund, a lost dispute). Never below zero: it takes what the available balance has, and the
 * rest is recorded as owed, paid back from the wallet's next credits (REPAY). With `holdId`, the
 * dispute hold that reserved the credits is released in the same transaction, under its row
 * lock and the wallet's, so nothing can spend them in between; a hold already resolved (voided,
 * expired) releases nothing and the debit is still taken. Idempotent by key within the wallet.
 */
export async function debit(core: LedgerCore, input: DebitInput): Promise<DebitRow> {
  checkAmount(input.amount);
  checkIdempotencyKey(input.idempotencyKey);
  const memo = checkMemo(input.memo);
  const metadata = checkFundingMetadata(input.metadata) ?? {};
  const { walletId, amount, idempotencyKey, actor } = input;
  const holdId = input.holdId ?? null;
  const hash = requestHash({ walletId, amount, memo, holdId, metadata });
  const again = async () => {
    const row = await core.replay(walletId, 'DEBIT', idempotencyKey, hash);
    return row && toDebit(row);
  };
  const earlier = await again();
  if (earlier) return earlier;
  if (holdId) await checkDisputeHold(core, walletId, holdId);
  await ensureWalletAccount(core.db, walletId);

  const run = () =>
    core.db.transaction(async (tx) => {
      const hold = holdId ? await lockHoldToRelease(tx, holdId) : undefined;
      const room = await lockAvailable(tx, walletId);
      const released = hold?.remaining ?? 0n;
      if (hold && holdId) await voidHoldForDebit(tx, { holdId, hold, actor });
      const free = room + released;
      const taken = min(amount, free > 0n ? free : 0n);
      return insertDebit(tx, {
        walletId,
        holdId,
        released,
        taken,
        owed: amount - taken,
        idempotencyKey,
        requestHash: hash,
        memo,
        metadata,
        actor,
      });
    });
  return onceByKey(run, again);
}

/** A debit may release only a dispute hold of its own wallet. */
async function checkDisputeHold(core: LedgerCore, walletId: string, holdId: string) {
  const hold = await core.requireHold(holdId);
  if (hold.walletId !== walletId) {
    throw badUserInput('holdId names a hold of another wallet.', { field: 'holdId' });
  }
  if (hold.metadata.purpose !== 'DISPUTE') {
    throw badUserInput('holdId must name a dispute hold.', { field: 'holdId' });
  }
}
