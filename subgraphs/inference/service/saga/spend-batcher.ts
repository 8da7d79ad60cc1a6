import { createGroupCommit } from '../../../../lib/group-commit.js';
import type { HoldSpendRef, SpendRequest, WalletClient } from '../../clients/wallet-client.js';
import { withWalletRetries } from './wallet-retries.js';

/** Most spends one wallet call carries (the wallet's own limit is 256). */
const MOST_PER_CALL = 256;
/** Wallet calls in flight at once; spends that arrive meanwhile wait and go together. */
const IN_FLIGHT = 4;

/**
 * Sends spends to the wallet in batches without waiting for a timer (lib/group-commit.ts): a spend
 * goes at once when a call slot is free, and those that arrive while every slot is busy go
 * together in the next call. A spend's key makes a retried batch charge nothing twice. A refusal
 * of one spend (GraphQLError) rejects that spend only; a transport failure, after the wallet
 * retries, rejects the batch.
 */
export function createSpendBatcher(wallet: WalletClient) {
  const batches = createGroupCommit<{ request: SpendRequest; requestId: string }, HoldSpendRef>(
    (batch) =>
      withWalletRetries(() =>
        wallet.spend(
          batch.map((w) => w.request),
          batch[0]!.requestId,
        ),
      ),
    { inFlight: IN_FLIGHT, mostPerBatch: MOST_PER_CALL },
  );

  /** Charges one spend; resolves once the wallet has it durably. */
  return (request: SpendRequest, requestId: string): Promise<HoldSpendRef> =>
    batches.submit({ request, requestId });
}

export type SpendBatcher = ReturnType<typeof createSpendBatcher>;
