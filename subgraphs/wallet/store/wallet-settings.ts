import type { Queryable } from '../../../lib/db/index.js';

/*
 * The statements of a wallet's funding settings: suspension and the low-balance threshold. Each
 * opens the wallet's account if it has none, and changes no figure (so records no crossing).
 */

/** Suspends (with a reason, or none) or reinstates a wallet. */
export async function upsertSuspension(
  q: Queryable,
  walletId: string,
  suspended: boolean,
  reason: string | null,
): Promise<void> {
  await q.query(
    `INSERT INTO accounts (id, kind, suspended, suspended_reason) VALUES ($1, 'WALLET', $2, $3)
     ON CONFLICT (id) DO UPDATE SET suspended = EXCLUDED.suspended,
       suspended_reason = EXCLUDED.suspended_reason`,
    [walletId, suspended, suspended ? reason : null],
  );
}

/** Sets or clears (null) the available balance below which a crossing is recorded. */
export async function upsertLowBalanceThreshold(
  q: Queryable,
  walletId: string,
  threshold: bigint | null,
): Promise<void> {
  await q.query(
    `INSERT INTO accounts (id, kind, low_balance_threshold) VALUES ($1, 'WALLET', $2)
     ON CONFLICT (id) DO UPDATE SET low_balance_threshold = EXCLUDED.low_balance_threshold`,
    [walletId, threshold?.toString() ?? null],
  );
}
