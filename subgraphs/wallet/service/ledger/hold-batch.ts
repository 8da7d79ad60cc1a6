import type { Db } from '../../../../lib/db/index.js';
import {
  heldRow,
  insertHolds,
  lockWalletRoom,
  type InsertedHold,
  type NewHold,
} from '../../store/hold-statements.js';
import type { HoldRow } from '../../store/transfer-rows.js';
import { oneByOne } from '../../../../lib/keyed-batcher.js';
import { uniqueViolation } from './ledger-errors.js';

/** One queued authorizeHold: its parameters, and its own single-statement path. */
export interface HoldRequest extends NewHold {
  single: () => Promise<HoldRow>;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Authorizes several holds for calls on one wallet in one transaction (group commit): the wallet's row is
 * locked, its room read, and the requests taken in arrival order, each granted the most up to its
 * amount that the room left allows (at least its minimum), and all of them written by one
 * statement. Whatever does not fit, or any surprise (a key used before), goes through each
 * request's own single-statement path, which also explains refusals.
 */
export async function authorizeHoldBatch(db: Db, walletId: string, batch: HoldRequest[]) {
  const keys = new Set(batch.map((r) => r.idempotencyKey));
  if (batch.length === 1 || keys.size !== batch.length) return oneByOne(batch);

  let written: InsertedHold[];
  try {
    written = await db.transaction(async (tx) => {
      const room = await lockWalletRoom(tx, walletId);
      // A suspended wallet: each request's own path refuses it (WALLET_SUSPENDED).
      if (!room || room.suspended) return [];
      let { available, budgetRoom: budget } = room;
      const accepted: NewHold[] = [];
      for (const r of batch) {
        const granted = min(r.amount, budget === null ? available : min(available, budget));
        if (granted < r.minimumAmount) continue;
        available -= granted;
        if (budget !== null) budget -= granted;
        accepted.push({ ...r, amount: granted });
      }
      if (accepted.length === 0) return [];
      return insertHolds(tx, walletId, accepted);
    });
  } catch (error) {
    // A key applied before (or by another replica meanwhile): nothing was written; go one by one.
    if (uniqueViolation(error) === 'transfers_idempotency_key') return oneByOne(batch);
    throw error;
  }

  const byKey = new Map(written.map((w) => [w.idempotency_key, w]));
  const results: Array<HoldRow | Error> = [];
  for (const req of batch) {
    const row = byKey.get(req.idempotencyKey);
    if (row) results.push(heldRow(walletId, req, row));
    else results.push(...(await oneByOne([req])));
  }
  return results;
}
