import type { ResolvedTarget } from '../../../lib/catalog/resolved-route.js';
import { codedError } from '../../../lib/errors.js';
import { AllAttemptsFailedError, runAttempts, type Attempt } from '../routing/run-attempts.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { HoldRef } from '../platform/wallet-client.js';
import type { createPayment } from './payment.js';
import type { SagaDeps } from './saga-types.js';

/**
 * Runs one provider call over `targets` with the saga's retry, fallback, breaker and deadline
 * settings, counting every attempt in the models' live health.
 */
export function callProviders<T>(
  deps: SagaDeps,
  targets: readonly ResolvedTarget[],
  call: (adapter: ProviderAdapter, target: ResolvedTarget, signal: AbortSignal) => Promise<T>,
) {
  return runAttempts({
    targets,
    settings: deps.settings,
    breakers: deps.breakers,
    deadline: AbortSignal.timeout(deps.settings.deadlineMs),
    random: deps.random,
    now: deps.now,
    onAttempt: (a) => deps.health.recordAttempt(a),
    call: (target, signal) =>
      call(deps.providers.adapterFor(target.model.provider), target, signal),
  });
}

/**
 * Undoes a call that got no answer: the hold is voided and the reserved tokens given back. Throws
 * PROVIDER_ERROR with every attempt (`earlier` ones first) when the providers failed, else `error`.
 */
export async function abandonCall(
  payment: ReturnType<typeof createPayment>,
  hold: HoldRef,
  settle: (actualTokens: number) => Promise<void>,
  error: unknown,
  earlier: Attempt[] = [],
): Promise<never> {
  await payment.void(hold);
  await settle(0);
  if (error instanceof AllAttemptsFailedError) {
    throw codedError('PROVIDER_ERROR', 'Every provider attempt failed; nothing was charged.', {
      attempts: earlier.concat(error.attempts),
    });
  }
  throw error;
}
