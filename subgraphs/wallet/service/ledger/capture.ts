import type { Queryable } from '../../../../lib/db/index.js';
import { badUserInput } from '../../../../lib/errors.js';
import { resolveHold } from '../../store/hold-resolution.js';
import type { CaptureUsage, HoldRow, TransferRow } from '../../store/transfer-rows.js';
import { captureHoldBatch, type CaptureRequest } from './capture-batch.js';
import { onceByKey, requestHash, type LedgerCore } from './core.js';
import { chargeExcess, splitExcess } from './excess.js';
import { createKeyedBatcher } from './keyed-batcher.js';
import { captureExceedsHold } from './ledger-errors.js';
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
 * Charges `amount` and releases the rest of the hold. Above the hold, CAPTURE_EXCEEDS_HOLD,
 * unless `chargeExcess`: then the hold is captured whole and the difference charged beyond it
 * (see excess.ts), in one transaction. Concurrent captures of one wallet share one statement
 * (group commit, capture-batch.ts); a capture beyond the hold, being rare, takes its own.
 */
export function createCaptureHold(core: LedgerCore) {
  const batches = createKeyedBatcher<CaptureRequest, HoldRow>((walletId, batch) =>
    captureHoldBatch(core.db, core.reads, walletId, batch),
  );
  return async (input: CaptureInput): Promise<HoldRow> => {
    checkIdempotencyKey(input.idempotencyKey);
    if (input.amount < 0n) throw badUserInput('amount must not be negative.', { field: 'amount' });
    const hold = await core.requireHold(input.holdId);
    const { holdId, amount, idempotencyKey } = input;
    const hash = requestHash({ holdId, amount, usage: input.usage ?? null });
    // A reused key answers for itself first (the original, or a conflict) before any other check.
    if (await core.replay(hold.walletId, 'CAPTURE', idempotencyKey, hash)) {
      return core.requireHold(holdId);
    }
    const excess = amount - hold.amount;
    if (excess > 0n && !input.chargeExcess) throw captureExceedsHold(hold.amount, amount);
    const request: CaptureRequest = {
      holdId,
      amount,
      idempotencyKey,
      requestHash: hash,
      metadata: input.usage ? { ...input.usage } : {},
      actor: input.actor,
      single: () => captureOne(core, hold, request, excess),
    };
    if (excess > 0n) return request.single();
    return batches(hold.walletId, request);
  };
}

/**
 * One capture on its own: within the hold, one statement; beyond it, one transaction that
 * captures the hold whole and charges the excess. When no open hold matched, a concurrent
 * duplicate of this very capture may have won the race; if not, says why the hold is unresolvable.
 */
async function captureOne(
  core: LedgerCore,
  hold: HoldRow,
  req: CaptureRequest,
  excess: bigint,
): Promise<HoldRow> {
  const again = () => core.replay(hold.walletId, 'CAPTURE', req.idempotencyKey, req.requestHash);
  const write =
    excess > 0n
      ? () => captureBeyond(core, hold, req, excess)
      : () => capture(core.db, req, req.amount, req.metadata);
  const captured = await onceByKey(write, again);
  if (!captured) {
    if (await again()) return core.requireHold(hold.id);
    return core.explainUnresolvable(hold.id);
  }
  if (excess > 0n) return core.requireHold(hold.id);
  return {
    ...hold,
    status: 'CAPTURED',
    capturedAmount: captured.amount,
    excessAmount: 0n,
    owedAmount: 0n,
    resolvedAt: captured.createdAt,
  };
}

/** Captures `amount` of an open, unexpired hold in one statement. */
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

/** Captures the hold whole and charges `excess` beyond it, in one transaction. */
function captureBeyond(
  core: LedgerCore,
  hold: HoldRow,
  req: CaptureRequest,
  excess: bigint,
): Promise<TransferRow | undefined> {
  return core.db.transaction(async (tx) => {
    const split = await splitExcess(tx, hold.walletId, excess);
    // The capture records its excess, so reading a hold needs no other row.
    const captured = await capture(tx, req, hold.amount, {
      ...req.metadata,
      excess: excess.toString(),
      owed: split.owed.toString(),
    });
    if (captured) {
      const { walletId, id: holdId } = hold;
      await chargeExcess(tx, { walletId, holdId, split, metadata: req.metadata, actor: req.actor });
    }
    return captured;
  });
}
