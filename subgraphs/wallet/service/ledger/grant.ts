import { grantsByKeys, insertGrants } from '../../store/grant-statements.js';
import {
  ensureWalletAccount,
  insertGrant,
  owedBy,
  type GrantEntry,
  type InsertedGrant,
} from '../../store/ledger-writes.js';
import type { FundingMetadata, TransferRow } from '../../store/transfer-rows.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { repayOwed } from './excess.js';
import { createKeyedBatcher, oneByOne } from '../../../../lib/keyed-batcher.js';
import { idempotencyConflict, uniqueViolation } from './ledger-errors.js';
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

/** One queued grant, with its own path (used when it cannot share its batch's statement). */
interface GrantRequest extends GrantEntry {
  single: () => Promise<TransferRow>;
}

/**
 * Adds credits to a wallet from the funding account; what the wallet owes is paid from them first.
 * A key used before answers with its grant (or IDEMPOTENCY_CONFLICT) and writes nothing; the
 * payment metadata is part of what the key stands for.
 *
 * Grants running at once share statements (group commit, decision 88): a lone grant goes at once
 * as before; those that arrive while a batch is written go together in the next one, whatever
 * their wallets, as one read of their keys and one write.
 */
export function createGrant(core: LedgerCore) {
  const batches = createKeyedBatcher<GrantRequest, TransferRow>((_key, batch) =>
    grantBatch(core, batch),
  );
  return async (input: GrantInput): Promise<TransferRow> => {
    checkAmount(input.amount);
    checkIdempotencyKey(input.idempotencyKey);
    const memo = checkMemo(input.memo);
    const metadata = checkFundingMetadata(input.metadata);
    const { walletId, idempotencyKey, actor } = input;
    // A grant without metadata hashes as it always did, so keys applied before still replay.
    const hash = requestHash({
      walletId,
      amount: input.amount,
      memo,
      ...(metadata && { metadata }),
    });
    const request: GrantRequest = {
      walletId,
      amount: input.amount,
      idempotencyKey,
      requestHash: hash,
      memo,
      metadata: metadata ?? {},
      actor,
      single: () => grantOne(core, request),
    };
    return batches('grants', request);
  };
}

/** One grant: its key's earlier grant, or the write (opening the wallet's account if need be). */
async function grantOne(core: LedgerCore, entry: GrantEntry): Promise<TransferRow> {
  const { walletId, idempotencyKey, requestHash: hash } = entry;
  const earlier = await core.replay(walletId, 'GRANT', idempotencyKey, hash);
  if (earlier) return earlier;
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
  await repayIfOwed(core, granted, entry.actor);
  return granted.transfer;
}

/** Most wallets owe nothing: only those that do take the repaying transaction. */
async function repayIfOwed(core: LedgerCore, granted: InsertedGrant, actor: string) {
  if (granted.walletOwed === 0n) return;
  const { walletId, id } = granted.transfer;
  await core.db.transaction((tx) => repayOwed(tx, { walletId, paidBy: id, actor }));
}

const pairKey = (walletId: string, key: string) => `${walletId}\u0000${key}`;

/**
 * A batch of grants. A key repeated in the batch (a payment's concurrent deliveries) is written
 * once, by its first grant; the repeats then go their own way, which replays it (or conflicts).
 */
async function grantBatch(core: LedgerCore, batch: GrantRequest[]) {
  const seen = new Set<string>();
  const firsts = batch.filter((g) => {
    const key = pairKey(g.walletId, g.idempotencyKey);
    return !seen.has(key) && Boolean(seen.add(key));
  });
  const answers = await grantDistinct(core, firsts);
  const answered = new Map(firsts.map((g, i) => [g, answers[i]!]));
  const results: Array<TransferRow | Error> = [];
  for (const g of batch) results.push(answered.get(g) ?? (await oneByOne([g]))[0]!);
  return results;
}

/**
 * Grants of distinct keys in one read and one write. Keys used before answer with their grant (or
 * conflict); the rest are written together. A key taken by another writer meanwhile sends every
 * grant its own way, which answers a replay with the original; so does a wallet with no account
 * yet (its grant opens it).
 */
async function grantDistinct(core: LedgerCore, batch: GrantRequest[]) {
  if (batch.length === 1) return oneByOne(batch);

  const earlier = new Map(
    (await grantsByKeys(core.db, batch)).map((t) => [pairKey(t.walletId, t.idempotencyKey!), t]),
  );
  const fresh = batch.filter((g) => !earlier.has(pairKey(g.walletId, g.idempotencyKey)));
  let written: InsertedGrant[] = [];
  if (fresh.length > 0) {
    try {
      written = await insertGrants(core.db, fresh);
    } catch (error) {
      if (uniqueViolation(error) === 'transfers_idempotency_key') return oneByOne(batch);
      throw error;
    }
  }
  const made = new Map(
    written.map((g) => [pairKey(g.transfer.walletId, g.transfer.idempotencyKey!), g]),
  );
  // A wallet's owed is repaid once, after the first of its grants in the batch.
  const repaid = new Set<string>();
  const results: Array<TransferRow | Error> = [];
  for (const g of batch) {
    const key = pairKey(g.walletId, g.idempotencyKey);
    const before = earlier.get(key);
    const now = made.get(key);
    if (before) {
      results.push(
        before.requestHash === g.requestHash ? before : idempotencyConflict(g.idempotencyKey),
      );
    } else if (now) {
      const first = !repaid.has(g.walletId);
      repaid.add(g.walletId);
      const repay = async () => {
        if (first) await repayIfOwed(core, now, g.actor);
        return now.transfer;
      };
      results.push(...(await oneByOne([{ single: repay }])));
    } else results.push(...(await oneByOne([g])));
  }
  return results;
}
