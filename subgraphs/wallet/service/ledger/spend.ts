import { notFound } from '../../../../lib/errors.js';
import { lockOpenHold } from '../../store/hold-resolution.js';
import {
  insertSpend,
  spendByKey,
  spendWithinHolds,
  ownerOfHold,
  type SpendEntry,
} from '../../store/spend-statements.js';
import {
  toSpend,
  type CaptureUsage,
  type SpendRow,
  type TransferRow,
} from '../../store/transfer-rows.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { chargeExcess, splitExcess } from './excess.js';
import { createKeyedBatcher, oneByOne } from '../../../../lib/keyed-batcher.js';
import { disputeHoldNotCharged, idempotencyConflict, uniqueViolation } from './ledger-errors.js';
import { checkAmount, checkIdempotencyKey } from './validation.js';

export interface SpendInput {
  holdId: string;
  /** What the call cost, all of it: the hold covers what it can, the rest is charged beyond it. */
  amount: bigint;
  idempotencyKey: string;
  usage?: CaptureUsage | null;
  actor: string;
}

/** One queued spend, with its own path (used when it cannot share its batch's statement). */
interface SpendRequest extends SpendEntry {
  single: () => Promise<SpendRow>;
}

/** Holds remembered with their wallet, so that spends of one wallet can share a batch. */
const REMEMBERED_HOLDS = 10_000;

/**
 * Charges a served call against a hold that stays open (a credit lease), as a capture charges a
 * hold but many times over. Never refused for lack of funds, since the call was served: what the
 * hold still has covers what it can, and the rest is charged beyond it as a capture's excess is
 * (from the balance, then owed). A hold resolved or expired covers nothing.
 *
 * Spends of one wallet share one statement (group commit) that also checks the holds, their
 * keys and their wallet, so that a spend within its hold costs one statement and no read. A
 * hold's wallet is known only once it has been spent from, so until then its spends are grouped
 * by the hold. A spend beyond its hold takes a transaction of its own.
 */
export function createSpendFromHold(core: LedgerCore) {
  const walletOf = new Map<string, string>();
  const remember = (holdId: string, walletId: string) => {
    if (walletOf.has(holdId)) return;
    if (walletOf.size >= REMEMBERED_HOLDS) walletOf.delete(walletOf.keys().next().value as string);
    walletOf.set(holdId, walletId);
  };
  const batches = createKeyedBatcher<SpendRequest, SpendRow>((_key, batch) =>
    spendBatch(core, batch),
  );
  return async (input: SpendInput): Promise<SpendRow> => {
    checkAmount(input.amount);
    checkIdempotencyKey(input.idempotencyKey);
    const { holdId, amount, idempotencyKey } = input;
    const usage = input.usage ?? null;
    const request: SpendRequest = {
      holdId,
      amount,
      idempotencyKey,
      requestHash: requestHash({ holdId, amount, usage }),
      metadata: usage ? { ...usage } : {},
      actor: input.actor,
      single: () => onceByKey(() => spendOne(core, request), again(core, request)),
    };
    const known = walletOf.get(holdId);
    const spent = await batches(known ? `wallet:${known}` : `hold:${holdId}`, request);
    remember(holdId, spent.walletId);
    return spent;
  };
}

/**
 * A batch of spends in one statement; the ones it did not take (beyond their hold, or their hold
 * gone) each go beyond it. Keys repeated in the batch, or used before, send every spend its own
 * way, which answers a replay with the original.
 */
async function spendBatch(core: LedgerCore, batch: SpendRequest[]) {
  const keys = new Set(batch.map((r) => r.idempotencyKey));
  if (batch.length === 1 || keys.size !== batch.length) return oneByOne(batch);

  let written: TransferRow[];
  try {
    written = await spendWithinHolds(core.db, batch);
  } catch (error) {
    if (uniqueViolation(error) === 'transfers_idempotency_key') return oneByOne(batch);
    throw error;
  }
  const taken = new Map(written.map((t) => [t.idempotencyKey, t]));
  const results: Array<SpendRow | Error> = [];
  for (const req of batch) {
    const row = taken.get(req.idempotencyKey);
    if (row) results.push(toSpend(row));
    else {
      const beyond = () => onceByKey(() => spendBeyond(core, req), again(core, req));
      results.push(...(await oneByOne([{ single: beyond }])));
    }
  }
  return results;
}

/** One spend: within its hold in one statement, or else beyond it. */
async function spendOne(core: LedgerCore, req: SpendRequest): Promise<SpendRow> {
  const [row] = await spendWithinHolds(core.db, [req]);
  return row ? toSpend(row) : spendBeyond(core, req);
}

/** The spend a key already made for the wallet of the hold, if any; other parameters conflict. */
const again = (core: LedgerCore, req: SpendRequest) => async () => {
  const row = await spendByKey(core.db, req.holdId, req.idempotencyKey);
  if (row && row.requestHash !== req.requestHash) throw idempotencyConflict(req.idempotencyKey);
  return row && toSpend(row);
};

/**
 * A spend with the hold's row (while open and unexpired) and then the wallet's locked: the hold
 * covers what it has left, the rest is charged beyond it (EXCESS from the available balance, OWED
 * for what that cannot cover), naming the SPEND, which records both in its metadata. A dispute
 * hold is refused: it is never usage.
 */
function spendBeyond(core: LedgerCore, req: SpendRequest): Promise<SpendRow> {
  return core.db.transaction(async (tx) => {
    const open = await lockOpenHold(tx, req.holdId);
    const owner = await ownerOfHold(tx, req.holdId);
    if (!owner) throw notFound('Hold', req.holdId);
    if (owner.dispute) throw disputeHoldNotCharged(req.holdId);
    const { walletId } = owner;
    const left = open?.remaining ?? 0n;
    const fromHold = req.amount < left ? req.amount : left;
    const split = await splitExcess(tx, walletId, req.amount - fromHold);
    const spend = await insertSpend(tx, {
      ...req,
      walletId,
      fromHold,
      metadata: {
        ...req.metadata,
        excess: (req.amount - fromHold).toString(),
        owed: split.owed.toString(),
      },
    });
    if (fromHold < req.amount) {
      const { metadata, actor } = req;
      await chargeExcess(tx, { walletId, pendingId: spend.id, split, metadata, actor });
    }
    return toSpend(spend);
  });
}
