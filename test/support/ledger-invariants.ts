import type { Queryable } from '../../lib/db/index.js';
import { checkLedgerInvariants } from '../../subgraphs/wallet/store/invariants.js';

/** Every invariant of checkLedgerInvariants holds on the wallet's database as it is now. */
export async function expectLedgerInvariants(db: Queryable): Promise<void> {
  expect(await checkLedgerInvariants(db)).toEqual({
    conserved: true,
    noNegativeAvailable: true,
    totalsMatchTransfers: true,
    openHoldsMatchPending: true,
    resolvedAtMostOnce: true,
    fundingMatchesTransfers: true,
  });
}
