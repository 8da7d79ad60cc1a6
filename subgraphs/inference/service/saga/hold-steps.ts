import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { codedError } from '../../../../lib/errors.js';
import type { TokenUsage } from '../../providers/types.js';
import { costOf, type Price } from '../cost.js';
import { AllAttemptsFailedError, type Attempt } from '../routing/run-attempts.js';
import { reserveCredits, type Charge, type Payment } from './payment.js';
import type { SettleTokens } from './rate-limit-step.js';
import { timedStep, type SagaMetrics } from './saga-metrics.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

/*
 * The wallet steps both sagas share (DESIGN.md §3.5): a hold for the worst case before any
 * provider is called, then either the exact cost captured or the hold voided.
 */

/**
 * Step "wallet hold": holds the most any of `targets` could cost (`worstCaseOf` each), under the
 * request's idempotency key when it has one. When the hold is refused, the tokens the rate-limit
 * step reserved are given back before the refusal is thrown.
 */
export function holdWorstCase(
  deps: SagaDeps,
  ctx: SagaContext,
  settleTokens: SettleTokens,
  input: {
    targets: readonly ResolvedTarget[];
    worstCaseOf: (target: ResolvedTarget) => bigint;
    ttlSeconds: number;
    idempotencyBase?: string;
  },
): Promise<Payment> {
  const { targets } = input;
  const first = targets[0]!;
  const reserve = () =>
    reserveCredits(deps, ctx, {
      amount: targets.reduce((most, t) => {
        const cost = input.worstCaseOf(t);
        return cost > most ? cost : most;
      }, 0n),
      modelId: first.model.id,
      priceVersion: first.model.price!.version,
      ttlSeconds: input.ttlSeconds,
      idempotencyBase: input.idempotencyBase,
    });
  return timedStep(deps.sagaMetrics, 'hold', reserve).then(
    (payment) => timedPayment(deps.sagaMetrics, payment),
    async (error: unknown) => {
      await settleTokens(0);
      throw error;
    },
  );
}

/** The payment with its capture (outcome: what the ledger did) and void timed as saga steps. */
function timedPayment(metrics: SagaMetrics | undefined, payment: Payment): Payment {
  if (!metrics) return payment;
  return {
    ...payment,
    capture: (input) =>
      metrics.timeStep(
        'capture',
        () => payment.capture(input),
        (charge) => charge.status,
      ),
    voidHold: () => metrics.timeStep('void', () => payment.voidHold()),
  };
}

/**
 * Step "capture": charges the exact cost of `usage` at the price of the model that answered (the
 * rest of the hold is released by the ledger) and says what the ledger did.
 */
export function captureExactCost(
  payment: Payment,
  answer: { usage: TokenUsage; modelId: string; priceVersion: number },
  price: Price,
): Promise<Charge> {
  return payment.capture({
    amount: costOf(answer.usage, price),
    usage: answer.usage,
    modelId: answer.modelId,
    priceVersion: answer.priceVersion,
  });
}

/**
 * Step "void" after a call that got no answer: voids the hold, gives back every reserved token,
 * then throws PROVIDER_ERROR with every attempt (`earlier` ones first) when the providers
 * failed, else `error` itself.
 */
export async function voidAndGiveBack(
  payment: Payment,
  settleTokens: SettleTokens,
  error: unknown,
  earlier: Attempt[] = [],
): Promise<never> {
  await payment.voidHold();
  await settleTokens(0);
  if (error instanceof AllAttemptsFailedError) {
    throw codedError('PROVIDER_ERROR', 'Every provider attempt failed; nothing was charged.', {
      attempts: earlier.concat(error.attempts),
    });
  }
  throw error;
}
