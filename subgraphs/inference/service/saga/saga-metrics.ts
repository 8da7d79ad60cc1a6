import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SUBGRAPH_FETCH_BUCKETS } from '../../../../lib/metrics.js';
import type { Decision } from '../../../../lib/rate-limit/index.js';
import type { Breakers } from '../routing/breakers.js';
import type { Attempt } from '../routing/run-attempts.js';

/** The saga's steps as the metrics name them (DESIGN.md §3.5). */
export type SagaStep = 'plan' | 'rate_limit' | 'hold' | 'provider' | 'capture' | 'void';

const CIRCUIT_STATES = ['CLOSED', 'HALF_OPEN', 'OPEN'] as const;

/**
 * Prometheus series for the saga: each step's duration and outcome, the calls the rate limits
 * refused, every provider attempt, and this replica's circuit per deployment (read from the
 * breakers at each scrape). Labels are fixed sets or catalog ids, never a team or a request.
 */
export function createSagaMetrics(registry: Registry, breakers: Pick<Breakers, 'states'>) {
  new Gauge({
    name: 'modelgraph_inference_circuit_state',
    help:
      "This replica's circuit breaker per deployment: 1 for its current state (CLOSED, " +
      'HALF_OPEN or OPEN), 0 for the others.',
    labelNames: ['model', 'state'],
    registers: [registry],
    collect() {
      for (const [model, current] of breakers.states()) {
        for (const state of CIRCUIT_STATES) this.set({ model, state }, state === current ? 1 : 0);
      }
    },
  });
  const steps = new Histogram({
    name: 'modelgraph_inference_saga_step_duration_seconds',
    help:
      'Duration of the steps of paid calls (plan: catalog and policy; rate_limit; hold; ' +
      'provider; capture; void), by step and outcome.',
    labelNames: ['step', 'outcome'],
    buckets: SUBGRAPH_FETCH_BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'modelgraph_inference_rate_limit_refusals_total',
    help:
      'Calls the rate limits refused, by reason (LIMITED, TOO_LARGE, UNAVAILABLE: the store ' +
      'could not be asked) and the limit that refused them.',
    labelNames: ['reason', 'limit'],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'modelgraph_inference_provider_attempts_total',
    help: 'Provider attempts, by provider, model, outcome and error kind (none when it succeeded).',
    labelNames: ['provider', 'model', 'outcome', 'error'],
    registers: [registry],
  });
  return {
    /**
     * Runs one step and records its duration: `outcome` names a result (default `ok`); a step
     * that throws is recorded as `error`.
     */
    async timeStep<T>(step: SagaStep, run: () => Promise<T>, outcome?: (value: T) => string) {
      const end = steps.startTimer({ step });
      try {
        const value = await run();
        end({ outcome: outcome?.(value) ?? 'ok' });
        return value;
      } catch (error) {
        end({ outcome: 'error' });
        throw error;
      }
    },
    refused(decision: Extract<Decision, { allowed: false }>) {
      refusals.inc({ reason: decision.reason, limit: 'limit' in decision ? decision.limit : '' });
    },
    attempted(attempt: Attempt) {
      attempts.inc({
        provider: attempt.providerId,
        model: attempt.modelId,
        outcome: attempt.outcome,
        error: attempt.error ?? 'none',
      });
    },
  };
}

export type SagaMetrics = ReturnType<typeof createSagaMetrics>;

/** Runs `run` as `step`, timed when the saga has metrics (tests' fixtures may not). */
export function timedStep<T>(
  metrics: SagaMetrics | undefined,
  step: SagaStep,
  run: () => Promise<T>,
  outcome?: (value: T) => string,
): Promise<T> {
  return metrics ? metrics.timeStep(step, run, outcome) : run();
}
