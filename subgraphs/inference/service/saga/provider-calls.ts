import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { runAttempts } from '../routing/run-attempts.js';
import type { ProviderAdapter } from '../../providers/types.js';
import type { CallTiming } from '../timing.js';
import { timedStep } from './saga-metrics.js';
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
  return timedStep(deps.sagaMetrics, 'provider', () =>
    runAttempts({
      targets,
      settings: { ...deps.settings, attemptTimeoutMs: timing.attemptTimeoutMs },
      breakers: deps.breakers,
      deadline: cancel ? AbortSignal.any([deadline, cancel]) : deadline,
      random: deps.random,
      now: deps.now,
      onAttempt: (a) => {
        deps.health.recordAttempt(a);
        deps.sagaMetrics?.attempted(a);
      },
      call: (target, signal) =>
        call(deps.providers.adapterFor(target.model.provider), target, signal),
    }),
  );
}
