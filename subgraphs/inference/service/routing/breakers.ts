import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ProviderError } from '../../providers/types.js';

export type CircuitStateName = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

const NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'CLOSED',
  [CircuitState.Open]: 'OPEN',
  [CircuitState.HalfOpen]: 'HALF_OPEN',
  [CircuitState.Isolated]: 'OPEN',
};

/** Whether a failure says something about the deployment (our own bad request does not). */
const countsAgainstDeployment = (error: Error) =>
  !(error instanceof ProviderError && error.kind === 'BAD_REQUEST');

/**
 * One circuit breaker per deployment (cockatiel): `failures` consecutive failures open it, and
 * for `halfOpenAfterMs` calls skip it; then one trial call decides. Breakers live in each replica
 * (each sees its own calls fail); state changes are published through `onChange` so health shows
 * them fleet-wide.
 */
export function createBreakers(options: {
  failures: number;
  halfOpenAfterMs: number;
  onChange?: (modelId: string, state: CircuitStateName) => void;
}) {
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const breakerFor = (modelId: string) => {
    let breaker = breakers.get(modelId);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen(countsAgainstDeployment), {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.failures),
      });
      breaker.onStateChange((state) => options.onChange?.(modelId, NAMES[state]));
      breakers.set(modelId, breaker);
    }
    return breaker;
  };
  return {
    breakerFor,
    /** This replica's view of a deployment's circuit. */
    stateOf(modelId: string): CircuitStateName {
      const breaker = breakers.get(modelId);
      return breaker ? NAMES[breaker.state] : 'CLOSED';
    },
    /** This replica's view of every deployment it has called. */
    states(): Array<[string, CircuitStateName]> {
      return [...breakers].map(([modelId, breaker]) => [modelId, NAMES[breaker.state]]);
    },
  };
}

export type Breakers = ReturnType<typeof createBreakers>;
