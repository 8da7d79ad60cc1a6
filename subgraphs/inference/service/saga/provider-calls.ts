import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { codedError } from '../../../../lib/errors.js';
import { AllAttemptsFailedError, runAttempts, type Attempt } from '../routing/run-attempts.js';
import type { ProviderAdapter } from '../../providers/types.js';
import type { CallTiming } from '../timing.js';
import type { Payment } from './payment.js';
import type { SagaDeps } from './saga-types.js';

/**
 * Runs one provider call over `targets` with the saga's retry, fallback, breaker and the call's
 * timeouts, counting every attempt in the models' live health. `cancel` stops it early (the
 * attempt in flight is aborted through the adapter, and no further attempt starts).
 */
export function callProviders<T>(
  deps: SagaDeps,
  targets: readonly ResolvedTarget[],
  timing: Pick<CallTiming, 'attemptTimeoutMs' | 'deadlineMs'>,
  call: (adapter: ProviderAdapter, target: ResolvedTarget, signal: AbortSignal) => Promise<T>,
  cancel?: AbortSignal,
) {
  const deadline = AbortSignal.timeout(timing.deadlineMs);
  return runAttempts({
    targets,
    settings: { ...deps.settings, attemptTimeoutMs: timing.attemptTimeoutMs },
    breakers: deps.breakers,
    deadline: cancel ? AbortSignal.any([deadline, cancel]) : deadline,
    random: deps.random,
    now: deps.now,
    onAttempt: (a) => deps.health.recordAttempt(a),
    call: (target, signal) =>
      call(deps.providers.adapterFor(target.model.provider), target, signal),
  });
}

/**
 * Undoes a call that got no answer: the hold is released and the reserved tokens given back.
 * Throws PROVIDER_ERROR with every attempt (`earlier` ones first) when the providers failed, else
 * `error`.
 */
export async function abandonCall(
  payment: Payment,
  settle: (actualTokens: number) => Promise<void>,
  error: unknown,
  earlier: Attempt[] = [],
): Promise<never> {
  await payment.release();
  await settle(0);
  if (error instanceof AllAttemptsFailedError) {
    throw codedError('PROVIDER_ERROR', 'Every provider attempt failed; nothing was charged.', {
      attempts: earlier.concat(error.attempts),
    });
  }
  throw error;
}
