import { ensureWalletAccount, insertGrant, owedBy } from '../../store/ledger-writes.js';
import type { FundingMetadata, TransferRow } from '../../store/transfer-rows.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { repayOwed } from './excess.js';
import { checkAmount, checkFundingMetadata, checkIdempotencyKey, checkMemo } from './validation.js';

export interface GrantInput {
  walletId: string;
  amount: bigint;
  idempotencyKey: string;
  memo?: string | null;
  /** The payment the credits came from (billing's purchases), stored on the GRANT. */
  metadata?: FundingMetadata | null;
  actor: string;
}

/**
 * Adds credits to a wallet from the funding account; what the wallet owes is paid from them first.
 * A key used before answers with its grant (or IDEMPOTENCY_CONFLICT) and writes nothing; the
 * payment metadata is part of what the key stands for.
 */
export async function grant(core: LedgerCore, input: GrantInput): Promise<TransferRow> {
  checkAmount(input.amount);
  checkIdempotencyKey(input.idempotencyKey);
  const memo = checkMemo(input.memo);
  const metadata = checkFundingMetadata(input.metadata);
  const { walletId, idempotencyKey, actor } = input;
  // A grant without metadata hashes as it always did, so keys applied before still replay.
  const hash = requestHash({ walletId, amount: input.amount, memo, ...(metadata && { metadata }) });
  const earlier = await core.replay(walletId, 'GRANT', idempotencyKey, hash);
  if (earlier) return earlier;
  const entry = {
    walletId,
    amount: input.amount,
    idempotencyKey,
    requestHash: hash,
    memo,
    metadata: metadata ?? {},
    actor,
  };
  const write = async () => {
    // Nearly every wallet has its account: open one only when the grant found none.
    const inserted = await insertGrant(core.db, entry);
    if (inserted) return inserted;
    await ensureWalletAccount(core.db, walletId);
    return (await insertGrant(core.db, entry))!;
  };
  const granted = await onceByKey(write, async () => {
    const replayed = await core.replay(walletId, 'GRANT', idempotencyKey, hash);
    return replayed && { transfer: replayed, walletOwed: await owedBy(core.db, walletId) };
  });
  // Most wallets owe nothing: only those that do take the repaying transaction.
  if (granted.walletOwed !== 0n) {
    await core.db.transaction((tx) =>
      repayOwed(tx, { walletId, paidBy: granted.transfer.id, actor }),
    );
  }
  return granted.transfer;
}
