import { GraphQLError } from 'graphql';
import type { Logger } from '../../../../lib/logging.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { CaptureRequest } from './payment.js';

/** Waits between tries, then the last one repeats. */
const DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Captures the wallet did not confirm, retried in the background until they are confirmed, the
 * ledger says the hold is gone, or the hold expires. Captures are idempotent, so a retry of one
 * that did commit changes nothing. A replica that stops leaves its follow-ups to expire: the
 * ledger's hold (Query.hold) then says what happened, and the platform absorbed the call.
 */
export function createCaptureFollowUps(options: {
  wallet: WalletClient;
  /** Told about every capture confirmed late (for the charged-µcr metric). */
  onCharged(request: CaptureRequest, amount: bigint): void;
  now?: () => number;
  delaysMs?: readonly number[];
}) {
  const now = options.now ?? Date.now;
  const delays = options.delaysMs ?? DELAYS_MS;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const later = (ms: number, fn: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void fn();
    }, ms);
    timers.add(timer);
  };

  const follow = (request: CaptureRequest, expiresAt: string, logger: Logger) => {
    const deadline = Date.parse(expiresAt);
    const facts = { holdId: request.holdId, cost: request.amount.toString() };
    const attempt = async (tries: number): Promise<void> => {
      if (stopped) return;
      try {
        const hold = await options.wallet.capture(request);
        if (hold.status === 'CAPTURED') {
          const amount = BigInt(hold.capturedAmount ?? 0);
          options.onCharged(request, amount);
          logger.warn({ ...facts, charged: amount.toString(), tries }, 'capture confirmed late');
          return;
        }
      } catch (error) {
        if (error instanceof GraphQLError) {
          // The ledger refused for good (HOLD_EXPIRED, HOLD_ALREADY_RESOLVED, ...).
          logger.error({ ...facts, err: error }, 'call not charged: the capture was refused');
          return;
        }
      }
      const wait = delays[Math.min(tries, delays.length - 1)]!;
      if (now() + wait >= deadline) {
        logger.error(
          facts,
          'call not charged: the wallet stayed unreachable until the hold expired',
        );
        return;
      }
      later(wait, () => attempt(tries + 1));
    };
    later(delays[0]!, () => attempt(1));
  };

  return {
    follow,
    /** How many follow-ups are waiting for their next try. */
    get waiting() {
      return timers.size;
    },
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type CaptureFollowUps = ReturnType<typeof createCaptureFollowUps>;
