import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../../../../lib/db/index.js';
import { notFound } from '../../../../lib/errors.js';
import { createLedgerReads, type LedgerReads } from '../../store/ledger-reads.js';
import { transferByKey } from '../../store/ledger-writes.js';
import type { HoldRow, TransferKind, TransferRow } from '../../store/transfer-rows.js';
import {
  holdAlreadyResolved,
  holdExpired,
  idempotencyConflict,
  uniqueViolation,
} from './ledger-errors.js';

/**
 * What every ledger operation shares: the database, the reads, and the rules of idempotency keys
 * and of holds that cannot be resolved. Each operation (grant.ts, authorize-hold.ts, ...) is a
 * function of this core.
 */
export interface LedgerCore {
  db: Db;
  reads: LedgerReads;
  /** The transfer an idempotency key already made, if any; a different request is a conflict. */
  replay(
    walletId: string,
    kind: TransferKind,
    key: string,
    hash: string,
    q?: Queryable,
  ): Promise<TransferRow | undefined>;
  requireHold(holdId: string): Promise<HoldRow>;
  /** Why a hold could not be resolved: already resolved, or expired. */
  explainUnresolvable(holdId: string): Promise<never>;
}

export function createLedgerCore(db: Db): LedgerCore {
  const reads = createLedgerReads(db);
  const requireHold = async (holdId: string): Promise<HoldRow> => {
    const [hold] = await reads.holdsByIds([holdId]);
    if (!hold) throw notFound('Hold', holdId);
    return hold;
  };
  return {
    db,
    reads,
    async replay(walletId, kind, key, hash, q = db) {
      const row = await transferByKey(q, walletId, kind, key);
      if (row && row.requestHash !== hash) throw idempotencyConflict(key);
      return row;
    },
    requireHold,
    async explainUnresolvable(holdId) {
      const hold = await requireHold(holdId);
      if (hold.status === 'EXPIRED') throw holdExpired(hold.expiresAt);
      throw holdAlreadyResolved(hold.status);
    },
  };
}

/** Runs a write; a key applied concurrently by another caller turns into that caller's result. */
export async function onceByKey<T>(
  write: () => Promise<T>,
  again: () => Promise<T | undefined>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (uniqueViolation(error) !== 'transfers_idempotency_key') throw error;
    const result = await again();
    if (result === undefined) throw error;
    return result;
  }
}

/**
 * A digest of an operation's parameters: a repeated idempotency key must come with the same ones.
 * Keys are sorted so the digest does not depend on property order.
 */
export function requestHash(params: Record<string, unknown>): string {
  const canonical = JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
    }
    return value;
  });
  return createHash('sha256').update(canonical).digest('hex');
}
