import type { Db } from '../../../../lib/db/index.js';
import { captureHolds, type CaptureEntry } from '../../store/hold-resolution.js';
import type { LedgerReads } from '../../store/ledger-reads.js';
import type { HoldRow } from '../../store/transfer-rows.js';
import { oneByOne } from '../../../../lib/keyed-batcher.js';
import { uniqueViolation } from './ledger-errors.js';

/** One queued captureHold, already checked against its hold, with its own single path. */
export interface CaptureRequest extends CaptureEntry {
  single: () => Promise<HoldRow>;
}

/**
 * Captures several holds of one wallet in one statement (group commit, see captureHolds). A hold
 * the statement could not take (resolved, expired) or any surprise goes through its request's own
 * path, which explains the refusal.
 */
export async function captureHoldBatch(
  db: Db,
  reads: LedgerReads,
  walletId: string,
  batch: CaptureRequest[],
) {
  const distinct =
    new Set(batch.map((r) => r.holdId)).size === batch.length &&
    new Set(batch.map((r) => r.idempotencyKey)).size === batch.length;
  if (batch.length === 1 || !distinct) return oneByOne(batch);

  let captured: Set<string>;
  try {
    captured = await captureHolds(db, walletId, batch);
  } catch (error) {
    if (uniqueViolation(error) === 'transfers_idempotency_key') return oneByOne(batch);
    throw error;
  }

  const holds = new Map((await reads.holdsByIds([...captured])).map((h) => [h.id, h]));
  const results: Array<HoldRow | Error> = [];
  for (const req of batch) {
    const hold = holds.get(req.holdId);
    if (hold) results.push(hold);
    else results.push(...(await oneByOne([req])));
  }
  return results;
}
