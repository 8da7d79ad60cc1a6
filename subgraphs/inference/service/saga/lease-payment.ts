import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { unavailable } from '../../../../lib/service-client.js';
import type { SpendRequest } from '../../clients/wallet-client.js';
import type { LeaseSlice } from './credit-leases.js';
import type { Charge, Payment } from './payment.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

/**
 * The wallet step on a credit lease (decision 62): the call's worst case is reserved from a lease
 * of the team's in memory, and its exact cost is charged against the lease's hold as one spend
 * after the answer (durable before the answer leaves). A failed call releases its slice: no wallet
 * call at all.
 */
export async function reserveFromLease(
  deps: SagaDeps,
  ctx: SagaContext,
  input: { amount: bigint; ttlSeconds: number },
): Promise<Payment> {
  let slice: LeaseSlice;
  try {
    slice = await deps.leases!.reserve(ctx.teamId, {
      amount: input.amount,
      holdTtlSeconds: input.ttlSeconds,
      requestId: ctx.requestId,
    });
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    ctx.logger.error({ err: error }, 'wallet unreachable; call refused before the provider');
    throw unavailable('The wallet');
  }
  const idempotencyKey = `spend:${randomUUID()}`;
  return {
    async capture(cost) {
      if (cost.amount === 0n) {
        slice.release();
        return { status: 'CHARGED', amount: 0n, owed: 0n };
      }
      const request: SpendRequest = {
        holdId: slice.holdId,
        amount: cost.amount,
        idempotencyKey,
        usage: { ...cost.usage, modelId: cost.modelId, priceVersion: cost.priceVersion },
      };
      // Counted as spent whatever the answer: the lease never lends it twice.
      slice.settle(cost.amount);
      try {
        const spent = await deps.spend(request, ctx.requestId);
        return { status: 'CHARGED', amount: BigInt(spent.amount), owed: BigInt(spent.owedAmount) };
      } catch (error) {
        return unconfirmedSpend(ctx, request, error);
      }
    },
    voidHold() {
      slice.release();
      return Promise.resolve();
    },
  };
}

/** A spend the wallet refused or did not confirm. */
function unconfirmedSpend(ctx: SagaContext, request: SpendRequest, error: unknown): Charge {
  const facts = { err: error, holdId: request.holdId, cost: request.amount.toString() };
  if (error instanceof GraphQLError) {
    ctx.logger.error(facts, 'call not charged: the wallet refused its spend');
    return { status: 'WAIVED' };
  }
  ctx.logger.error(facts, 'spend not confirmed by the wallet');
  return { status: 'PENDING', amount: request.amount };
}
