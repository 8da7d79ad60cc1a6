import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { ServiceUnavailableError, unavailable } from '../../../lib/service-client.js';
import type { TokenUsage } from '../providers/types.js';
import type { HoldRef } from '../platform/wallet-client.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

const RETRY_DELAYS_MS = [50, 200, 800];

/** Retries what failed for transport reasons; business refusals come back at once. */
async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i += 1) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError) || i >= RETRY_DELAYS_MS.length) throw error;
      await sleep(RETRY_DELAYS_MS[i]);
    }
  }
}

/**
 * The wallet's side of the saga. A hold is taken before any provider is called, for the worst case;
 * afterwards it is captured at the exact cost (the rest released) or voided. Capture and void are
 * idempotent, so they are retried when the wallet is briefly unreachable; if they still fail, the
 * hold expires and the sweeper releases it — a lost capture never charges the team, and it is
 * logged as an error with everything needed to charge it by hand.
 */
export function createPayment(deps: SagaDeps, ctx: SagaContext) {
  return {
    async hold(input: {
      requestKey: string;
      amount: bigint;
      modelId: string;
      priceVersion: number;
    }): Promise<HoldRef> {
      try {
        return await withRetries(() =>
          deps.wallet.authorize({
            teamId: ctx.teamId,
            amount: input.amount,
            idempotencyKey: `hold:${input.requestKey}`,
            ttlSeconds: deps.settings.holdTtlSeconds,
            metadata: {
              modelId: input.modelId,
              priceVersion: input.priceVersion,
              requestId: ctx.requestId,
            },
            requestId: ctx.requestId,
          }),
        );
      } catch (error) {
        if (error instanceof GraphQLError) throw error;
        ctx.logger.error({ err: error }, 'wallet unreachable; call refused before the provider');
        throw unavailable('The wallet');
      }
    },

    async capture(
      hold: HoldRef,
      input: {
        requestKey: string;
        amount: bigint;
        usage: TokenUsage;
        modelId: string;
        priceVersion: number;
      },
    ): Promise<boolean> {
      const amount = input.amount > BigInt(hold.amount) ? BigInt(hold.amount) : input.amount;
      if (amount < input.amount) {
        ctx.logger.error(
          { holdId: hold.id, cost: input.amount.toString(), held: hold.amount },
          'usage cost more than the hold; charged the hold',
        );
      }
      try {
        await withRetries(() =>
          deps.wallet.capture({
            holdId: hold.id,
            amount,
            idempotencyKey: `capture:${input.requestKey}`,
            usage: { ...input.usage, modelId: input.modelId, priceVersion: input.priceVersion },
            requestId: ctx.requestId,
          }),
        );
        return true;
      } catch (error) {
        ctx.logger.error(
          {
            err: error,
            holdId: hold.id,
            amount: amount.toString(),
            usage: input.usage,
            modelId: input.modelId,
          },
          'capture failed; the hold will expire uncharged',
        );
        return false;
      }
    },

    async void(hold: HoldRef): Promise<void> {
      try {
        await withRetries(() => deps.wallet.void(hold.id, ctx.requestId));
      } catch (error) {
        ctx.logger.error({ err: error, holdId: hold.id }, 'void failed; the hold will expire');
      }
    },
  };
}
