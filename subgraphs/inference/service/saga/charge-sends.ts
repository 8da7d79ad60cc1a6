import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { OutboxRow } from '../../store/charge-outbox-rows.js';

/** What the wallet said about one charge sent from the outbox. */
export type SendOutcome =
  /** Charged `amount` in all, by a capture of its hold or a spend against (or beyond) it. */
  | { status: 'CONFIRMED'; amount: bigint; by: 'CAPTURE' | 'SPEND' }
  /** Not answered (transport, an outage, the wallet's own fault): sent again later. */
  | { status: 'RETRY'; error: unknown }
  /** Refused for good (NOT_FOUND, IDEMPOTENCY_CONFLICT, BAD_USER_INPUT, ...): never resent. */
  | { status: 'REFUSED'; error: GraphQLError };

const codeOf = (error: GraphQLError) => error.extensions.code as string | undefined;

/** The wallet's own faults are outages, whatever else it refuses is a refusal. */
const refusalOrRetry = (error: unknown): SendOutcome =>
  error instanceof GraphQLError &&
  codeOf(error) !== 'INTERNAL_SERVER_ERROR' &&
  codeOf(error) !== 'SERVICE_UNAVAILABLE'
    ? { status: 'REFUSED', error }
    : { status: 'RETRY', error };

/**
 * The capture was refused because its hold is gone without it: expired, or released another way.
 * (A capture under this very key that committed is answered as such, before any of these.)
 */
const holdGone = (error: unknown) =>
  error instanceof GraphQLError &&
  (codeOf(error) === 'HOLD_EXPIRED' ||
    (codeOf(error) === 'HOLD_ALREADY_RESOLVED' &&
      (error.extensions.status === 'VOIDED' || error.extensions.status === 'EXPIRED')));

const request = (row: OutboxRow) => ({
  holdId: row.holdId,
  amount: row.amount,
  idempotencyKey: row.idempotencyKey,
  usage: row.usage,
});

/** A capture, exactly as the saga first asked for it (same key: the wallet applies it once). */
async function sendCapture(
  wallet: WalletClient,
  row: OutboxRow,
): Promise<SendOutcome | 'HOLD_GONE'> {
  try {
    const hold = await wallet.capture({ ...request(row), requestId: row.requestId });
    if (hold.status === 'CAPTURED') {
      return { status: 'CONFIRMED', amount: BigInt(hold.capturedAmount ?? 0), by: 'CAPTURE' };
    }
    return { status: 'RETRY', error: new Error(`the capture left the hold ${hold.status}`) };
  } catch (error) {
    return holdGone(error) ? 'HOLD_GONE' : refusalOrRetry(error);
  }
}

/** Spends, in one call: each answered on its own. */
async function sendSpends(wallet: WalletClient, rows: OutboxRow[]): Promise<SendOutcome[]> {
  if (rows.length === 0) return [];
  const requestId = rows.length === 1 ? rows[0]!.requestId : randomUUID();
  try {
    const answers = await wallet.spend(rows.map(request), requestId);
    return answers.map((answer) =>
      answer instanceof GraphQLError
        ? refusalOrRetry(answer)
        : { status: 'CONFIRMED', amount: BigInt(answer.amount), by: 'SPEND' },
    );
  } catch (error) {
    return rows.map(() => ({ status: 'RETRY', error }));
  }
}

/**
 * Sends claimed charges to the wallet and says what became of each, in `rows`' order. A capture
 * whose hold is gone without it (expired or released first) is charged with a spend under the
 * same key instead: the call was served, so it is charged beyond the hold, once (the key).
 */
export async function sendCharges(
  wallet: WalletClient,
  rows: readonly OutboxRow[],
): Promise<SendOutcome[]> {
  const outcomes = await Promise.all(
    rows.map((row) => (row.kind === 'CAPTURE' ? sendCapture(wallet, row) : null)),
  );
  const spent = rows.filter((row, i) => row.kind === 'SPEND' || outcomes[i] === 'HOLD_GONE');
  const spends = await sendSpends(wallet, spent);
  return rows.map((row, i) => {
    const outcome = outcomes[i];
    return outcome && outcome !== 'HOLD_GONE' ? outcome : spends[spent.indexOf(row)]!;
  });
}
