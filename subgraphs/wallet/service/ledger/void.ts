import { resolveHold } from '../../store/hold-resolution.js';
import type { HoldRow } from '../../store/transfer-rows.js';
import type { LedgerCore } from './core.js';
import { holdAlreadyResolved } from './ledger-errors.js';

/** Releases a hold without charging. Voiding a voided hold changes nothing and succeeds. */
export async function voidHold(
  core: LedgerCore,
  input: { holdId: string; actor: string },
): Promise<HoldRow> {
  const hold = await core.requireHold(input.holdId);
  if (hold.status === 'VOIDED') return hold;
  const voided = await resolveHold(core.db, {
    kind: 'VOID',
    target: { holdId: input.holdId, onlyIfUnexpired: false },
    amount: 0n,
    idempotencyKey: null,
    requestHash: null,
    metadata: {},
    actor: input.actor,
  });
  if (!voided) {
    const now = await core.requireHold(input.holdId);
    if (now.status === 'VOIDED') return now;
    throw holdAlreadyResolved(now.status);
  }
  return core.requireHold(input.holdId);
}

/**
 * Releases holds past their expiry, one statement each, exactly once (the sweeper's work; safe on
 * every replica at once); returns how many.
 */
export async function sweepExpired(
  core: LedgerCore,
  limit = 500,
  actor = 'system:sweeper',
): Promise<number> {
  let released = 0;
  while (released < limit) {
    const expired = await resolveHold(core.db, {
      kind: 'EXPIRE',
      target: { nextExpired: true },
      amount: 0n,
      idempotencyKey: null,
      requestHash: null,
      metadata: {},
      actor,
    });
    if (!expired) break;
    released += 1;
  }
  return released;
}
