import { createGroupCommit } from '../../../lib/group-commit.js';
import type { GrantRef, PaymentGrant, WalletClient } from '../clients/wallet-client.js';

/** Most grants one wallet call carries (the wallet's limit is 256). */
const MOST_PER_CALL = 256;
/**
 * One wallet call at a time: grants that arrive meanwhile go together in the next (the wallet
 * writes one grant batch at a time anyway; one slot made the largest batches, bench/RESULTS.md).
 */
const IN_FLIGHT = 1;

/**
 * Grants payments' credits through the wallet in batches (group commit, lib/group-commit.ts;
 * decision 88): a grant goes at once when a call slot is free, and those that arrive while every
 * slot is busy go together in one call, which the wallet writes together. The payment's id is
 * each grant's key, so a batch resent grants nothing twice; a refusal of one grant rejects that
 * grant only.
 */
export function createPaymentGrants(wallet: WalletClient) {
  const batches = createGroupCommit<PaymentGrant & { requestId: string }, GrantRef>(
    (batch) => wallet.grantForPayments(batch, batch[0]!.requestId),
    { inFlight: IN_FLIGHT, mostPerBatch: MOST_PER_CALL },
  );
  /** Grants one payment's credits; resolves once the wallet has the GRANT durably. */
  return (grant: PaymentGrant & { requestId: string }): Promise<GrantRef> => batches.submit(grant);
}

export type PaymentGrants = ReturnType<typeof createPaymentGrants>;
