import { GraphQLError } from 'graphql';
import type { HoldSpendRef, SpendRequest, WalletClient } from '../../clients/wallet-client.js';
import { withWalletRetries } from './wallet-retries.js';

/** Most spends one wallet call carries (the wallet's own limit is 256). */
const MOST_PER_CALL = 256;
/** Wallet calls in flight at once; spends that arrive meanwhile wait and go together. */
const IN_FLIGHT = 4;

interface Waiting {
  request: SpendRequest;
  requestId: string;
  resolve(ref: HoldSpendRef): void;
  reject(error: unknown): void;
}

/**
 * Sends spends to the wallet in batches without waiting for a timer: a spend goes at once when a
 * call slot is free, and those that arrive while every slot is busy go together in the next call
 * (group commit, as the wallet's own statements are). A spend's key makes a retried batch charge
 * nothing twice. A refusal of one spend (GraphQLError) rejects that spend only; a transport
 * failure, after the wallet retries, rejects the batch.
 */
export function createSpendBatcher(wallet: WalletClient) {
  const queue: Waiting[] = [];
  let inFlight = 0;

  const send = async (batch: Waiting[]) => {
    inFlight += 1;
    try {
      const answers = await withWalletRetries(() =>
        wallet.spend(
          batch.map((w) => w.request),
          batch[0]!.requestId,
        ),
      );
      batch.forEach((w, i) => {
        const answer = answers[i]!;
        if (answer instanceof GraphQLError) w.reject(answer);
        else w.resolve(answer);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      inFlight -= 1;
      pump();
    }
  };

  const pump = () => {
    while (inFlight < IN_FLIGHT && queue.length > 0) void send(queue.splice(0, MOST_PER_CALL));
  };

  /** Charges one spend; resolves once the wallet has it durably. */
  return (request: SpendRequest, requestId: string): Promise<HoldSpendRef> =>
    new Promise((resolve, reject) => {
      queue.push({ request, requestId, resolve, reject });
      pump();
    });
}

export type SpendBatcher = ReturnType<typeof createSpendBatcher>;
