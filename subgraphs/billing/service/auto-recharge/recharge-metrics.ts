import { Counter } from 'prom-client';
import type { ServiceMetrics } from '../../../../lib/metrics.js';

/** What auto-recharge counts: recharges by outcome (one per PaymentIntent's end). */
export function createRechargeMetrics(metrics: ServiceMetrics) {
  const recharges = new Counter({
    name: 'modelgraph_billing_recharges_total',
    help: 'Auto-recharge outcomes: STARTED (a crossing made a recharge), SUCCEEDED (granted), FAILED (an attempt declined or refused), DISABLED (turned off after too many failures).',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  return {
    count: (outcome: 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'DISABLED') => recharges.inc({ outcome }),
  };
}

export type RechargeMetrics = ReturnType<typeof createRechargeMetrics>;
