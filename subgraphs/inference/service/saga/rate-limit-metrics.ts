import { Counter, type Registry } from 'prom-client';

/** Which limit could not be checked: the RPM/TPM reservation, or a team's concurrent streams. */
export type UncheckedLimit = 'rate' | 'streams';

/**
 * Prometheus series for calls whose limits could not be checked because the rate-limit store
 * (Redis) was unreachable: `refused` (SERVICE_UNAVAILABLE, the default) or `allowed`
 * (RATE_LIMIT_FAIL_OPEN=true, decision 74). Each is also a log line; a rising `allowed` count is
 * traffic no limit saw.
 */
export function createRateLimitMetrics(registry: Registry) {
  return {
    unavailable: new Counter({
      name: 'inference_rate_limit_unavailable_total',
      help:
        'Calls whose rate limits could not be checked (the store was unreachable), by limit ' +
        '(rate: RPM/TPM; streams: concurrent streams) and outcome (refused, or allowed when ' +
        'RATE_LIMIT_FAIL_OPEN is set).',
      labelNames: ['limit', 'outcome'],
      registers: [registry],
    }),
  };
}

export type RateLimitMetrics = ReturnType<typeof createRateLimitMetrics>;
