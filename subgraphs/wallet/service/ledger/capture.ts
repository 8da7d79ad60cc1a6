import type { Queryable } from '../../../../lib/db/index.js';
import { badUserInput } from '../../../../lib/errors.js';
import { lockOpenHold, resolveHold } from '../../store/hold-resolution.js';
import type { CaptureUsage, HoldRow, TransferRow } from '../../store/transfer-rows.js';
import { captureHoldBatch, type CaptureRequest } from './capture-batch.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { chargeExcess, splitExcess } from './excess.js';
import { createKeyedBatcher } from '../../../../lib/keyed-batcher.js';
import { captureExceedsHold, disputeHoldNotCharged } from './ledger-errors.js';
import { checkIdempotencyKey } from './validation.js';

export interface CaptureInput {
  holdId: string;
  amount: bigint;
  idempotencyKey: string;
  usage?: CaptureUsage | null;
  chargeExcess?: boolean;
  actor: string;
}

/**
 * Charges `amount` and releases the rest of what the hold has left (its amount minus what spends
 * took). Above that, CAPTURE_EXCEEDS_HOLD, unless `chargeExcess`: then the rest of the hold is
 * captured whole and the difference charged beyond it (see excess.ts), in one transaction.
 * Concurrent captures of one wallet share one statement (group commit, capture-batch.ts); a
 * capture beyond the hold, being rare, takes its own. A dispute hold is never captured (it is not
 * usage): BAD_USER_INPUT.
 */
export function createCaptureHold(core: LedgerCore) {
  const batches = createKeyedBatcher<CaptureRequest, HoldRow>((walletId, batch) =>
    captureHoldBatch(core.db, core.reads, walletId, batch),
  );
  return async (input: CaptureInput): Promise<HoldRow> => {
    checkIdempotencyKey(input.idempotencyKey);
    if (input.amount < 0n) throw badUserInput('amount must not be negative.', { field: 'amount' });
    const hold = await core.requireHold(input.holdId);
    if (hold.metadata.purpose === 'DISPUTE') throw disputeHoldNotCharged(hold.id);
    const { holdId, amount, idempotencyKey } = input;
    const hash = requestHash({ holdId, amount, usage: input.usage ?? null });
    // A reused key answers for itself first (the original, or a conflict) before any other check.
    if (await core.replay(hold.walletId, 'CAPTURE', idempotencyKey, hash)) {
      return core.requireHold(holdId);
    }
    const left = hold.amount - hold.spentAmount;
    const mayExceed = input.chargeExcess ?? false;
    if (amount > left && !mayExceed) throw captureExceedsHold(left, amount);
    const request: CaptureRequest = {
      holdId,
      amount,
      idempotencyKey,
      requestHash: hash,
      metadata: input.usage ? { ...input.usage } : {},
      actor: input.actor,
      single: () => captureOne(core, hold, request, mayExceed),
    };
    if (amount > left) return request.single();
    return batches(hold.walletId, request);
  };
}

/**
 * One capture on its own: within what the hold had left when read, one statement; beyond it (or
 * when a spend took part of it meanwhile), one transaction with the hold locked. When no open
 * hold matched, a concurrent duplicate of this very capture may have won the race; if not, says
 * why the hold is unresolvable.
 */
async function captureOne(
  core: LedgerCore,
  hold: HoldRow,
  req: CaptureRequest,
  mayExceed: boolean,
): Promise<HoldRow> {
  const again = () => core.replay(hold.walletId, 'CAPTURE', req.idempotencyKey, req.requestHash);
  if (req.amount <= hold.amount - hold.spentAmount) {
    const captured = await onceByKey(() => capture(core.db, req, req.amount, req.metadata), again);
    if (captured) return capturedHold(hold, captured);
  }
  const captured = await onceByKey(() => captureLocked(core, hold, req, mayExceed), again);
  if (captured) return capturedHold(hold, captured);
  if (await again()) return core.requireHold(hold.id);
  return core.explainUnresolvable(hold.id);
}

/** The hold as a capture left it (the CAPTURE records any excess beyond it). */
function capturedHold(hold: HoldRow, captured: TransferRow): HoldRow {
  const excess = BigInt((captured.metadata.excess as string | undefined) ?? 0);
  return {
    ...hold,
    status: 'CAPTURED',
    capturedAmount: captured.amount + excess,
    excessAmount: excess,
    owedAmount: BigInt((captured.metadata.owed as string | undefined) ?? 0),
    spentAmount: hold.amount - captured.released,
    resolvedAt: captured.createdAt,
  };
}

/** Captures `amount` of an open, unexpired hold with that much left, in one statement. */
const capture = (
  q: Queryable,
  req: CaptureRequest,
  amount: bigint,
  metadata: Record<string, unknown>,
) =>
  resolveHold(q, {
    kind: 'CAPTURE',
    target: { holdId: req.holdId, onlyIfUnexpired: true },
    amount,
    idempotencyKey: req.idempotencyKey,
    requestHash: req.requestHash,
    metadata,
    actor: req.actor,
  });

/**
 * Captures with the hold's row locked, so that what it has left cannot change: within it, as
 * usual; beyond it, CAPTURE_EXCEEDS_HOLD unless `mayExceed`, and then the rest of the hold is
 * captured whole and the excess charged beyond it, in the same transaction. Undefined when the
 * hold is resolved or expired.
 */
function captureLocked(
  core: LedgerCore,
  hold: HoldRow,
  req: CaptureRequest,
  mayExceed: boolean,
): Promise<TransferRow | undefined> {
  return core.db.transaction(async (tx) => {
    const open = await lockOpenHold(tx, hold.id);
    if (!open) return undefined;
    const excess = req.amount - open.remaining;
    if (excess <= 0n) return capture(tx, req, req.amount, req.metadata);
    if (!mayExceed) throw captureExceedsHold(open.remaining, req.amount);
    const split = await splitExcess(tx, hold.walletId, excess);
    // The capture records its excess, so reading a hold needs no other row.
    const captured = await capture(tx, req, open.remaining, {
      ...req.metadata,
      excess: excess.toString(),
      owed: split.owed.toString(),
    });
    if (captured) {
      const { walletId, id: pendingId } = hold;
      await chargeExcess(tx, {
        walletId,
        pendingId,
        split,
        metadata: req.metadata,
        actor: req.actor,
      });
    }
    return captured;
  });
}
