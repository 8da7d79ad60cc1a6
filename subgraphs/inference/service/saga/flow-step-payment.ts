import { GraphQLError } from 'graphql';
import { codedError, notFound } from '../../../../lib/errors.js';
import { unavailable } from '../../../../lib/service-client.js';
import type { HoldDetail } from '../../clients/wallet-client.js';
import { spendOrRecord } from './lease-payment.js';
import type { Payment } from './payment.js';
import type { FlowStep, SagaContext, SagaDeps } from './saga-types.js';
import { withWalletRetries } from './wallet-retries.js';

/** The spend's idempotency key: one per step, so a step sent again is charged once. */
export const flowSpendKey = (stepKey: string) => `flow:${stepKey}`;

/**
 * The wallet step of a flow step (decision 100): no hold or lease of its own. The run's hold must
 * be the charged team's, a FLOW_RUN hold, open, and have the call's worst case left; the exact
 * cost is then charged against it as one spend keyed by the step (through the charge outbox when
 * the wallet does not confirm it, like a lease's spend). A failed call charges nothing, so there
 * is nothing to void: what the run does not spend, orchestration voids when the run ends.
 */
export async function reserveFromFlowRun(
  deps: SagaDeps,
  ctx: SagaContext,
  step: FlowStep,
  worstCase: bigint,
): Promise<Payment> {
  const hold = checkRunHold(await readHold(deps, ctx, step.holdId), ctx.teamId, step, deps.now());
  const left = BigInt(hold.amount) - BigInt(hold.spentAmount);
  if (worstCase > left) {
    throw codedError(
      'BUDGET_EXCEEDED',
      `This step may cost up to ${worstCase} µcr; the flow run's budget has ${left} µcr left.`,
      { needed: worstCase.toString(), left: left.toString() },
    );
  }
  return {
    async capture(cost) {
      if (cost.amount === 0n) return { status: 'FREE' };
      return spendOrRecord(deps, ctx, {
        holdId: step.holdId,
        amount: cost.amount,
        idempotencyKey: flowSpendKey(step.stepKey),
        usage: { ...cost.usage, modelId: cost.modelId, priceVersion: cost.priceVersion },
      });
    },
    // The run's hold is the run's: orchestration voids what is left when the run ends.
    voidHold: () => Promise.resolve(),
  };
}

async function readHold(deps: SagaDeps, ctx: SagaContext, holdId: string) {
  try {
    return await withWalletRetries(() => deps.wallet.hold(holdId, ctx.requestId));
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    ctx.logger.error({ err: error }, 'wallet unreachable; flow step refused before the provider');
    throw unavailable('The wallet');
  }
}

/**
 * The hold if a flow step of `teamId` may spend from it: another team's hold is NOT_FOUND (it
 * reveals nothing), a hold of another purpose or one already resolved FORBIDDEN, an expired one
 * HOLD_EXPIRED (by this service's clock, or the ledger's status).
 */
function checkRunHold(
  hold: HoldDetail | null,
  teamId: string,
  step: FlowStep,
  now: number,
): HoldDetail {
  if (!hold || hold.walletId.toLowerCase() !== teamId.toLowerCase()) {
    throw notFound('Flow run hold', step.holdId);
  }
  if (hold.purpose !== 'FLOW_RUN') {
    throw codedError('FORBIDDEN', `Hold "${hold.id}" is not a flow run's hold.`, {
      purpose: hold.purpose,
    });
  }
  if (
    hold.status === 'EXPIRED' ||
    (hold.status === 'PENDING' && Date.parse(hold.expiresAt) <= now)
  ) {
    throw codedError('HOLD_EXPIRED', `The flow run's hold "${hold.id}" has expired.`);
  }
  if (hold.status !== 'PENDING') {
    throw codedError('FORBIDDEN', `The flow run's hold "${hold.id}" is closed: its run ended.`, {
      holdStatus: hold.status,
    });
  }
  return hold;
}
