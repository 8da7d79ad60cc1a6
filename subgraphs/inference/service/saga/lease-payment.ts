import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { unavailable } from '../../../../lib/service-client.js';
import type { SpendRequest } from '../../clients/wallet-client.js';
import type { LeaseSlice } from './credit-leases.js';
import type { Charge, Payment } from './payment.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { recordUnconfirmed } from './unconfirmed-charges.js';

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
  // The key names the request, so a spend whose answer was lost (the wallet committed it, the call
  // was refused) is found by the request the caller was refused for.
  const idempotencyKey = `spend:${ctx.requestId}:${randomUUID()}`;
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
      const charge = await spendOrRecord(deps, ctx, request);
      if (charge.status === 'PENDING') slice.pin();
      return charge;
    },
    voidHold() {
      slice.release();
      return Promise.resolve();
    },
  };
}

/**
 * Charges a served call with a spend against `request.holdId` (beyond the hold when the hold
 * cannot cover it). A spend the wallet did not confirm goes to the charge outbox before the answer
 * leaves (PENDING); one it refused (a bug: spends are never refused for funds) is absorbed, logged.
 */
export async function spendOrRecord(
  deps: SagaDeps,
  ctx: SagaContext,
  request: SpendRequest,
): Promise<Charge> {
  try {
    const spent = await deps.spend(request, ctx.requestId);
    return { status: 'CHARGED', amount: BigInt(spent.amount), owed: BigInt(spent.owedAmount) };
  } catch (error) {
    const facts = { err: error, holdId: request.holdId, cost: request.amount.toString() };
    if (error instanceof GraphQLError) {
      ctx.logger.error(facts, 'call not charged: the wallet refused its spend');
      return { status: 'WAIVED' };
    }
    await recordUnconfirmed(deps, ctx, {
      ...request,
      teamId: ctx.teamId,
      kind: 'SPEND',
      requestId: ctx.requestId,
    });
    ctx.logger.warn(facts, 'spend not confirmed by the wallet; the charge outbox charges it');
    return { status: 'PENDING', amount: request.amount };
  }
}
