import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Prometheus series for the charge outbox: how many charges wait for the wallet (read from the
 * table at each scrape: every replica reports the same, shared figure, so aggregate with max), and
 * how many the wallet later confirmed or refused for good.
 */
export function createChargeOutboxMetrics(registry: Registry, countPending: () => Promise<number>) {
  new Gauge({
    name: 'inference_charge_outbox_pending',
    help: 'Charges of served calls waiting in the charge outbox for the wallet (all replicas).',
    registers: [registry],
    async collect() {
      // An unreachable database leaves the last figure; /readyz reports the outage.
      const pending = await countPending().catch(() => undefined);
      if (pending !== undefined) this.set(pending);
    },
  });
  return {
    recovered: new Counter({
      name: 'inference_charge_outbox_recovered_total',
      help:
        'Charges the wallet confirmed from the charge outbox, by how they were charged ' +
        '(CAPTURE of the hold, or SPEND: against a credit lease, or beyond a hold that was gone).',
      labelNames: ['charged_by'],
      registers: [registry],
    }),
    failed: new Counter({
      name: 'inference_charge_outbox_failed_total',
      help:
        'Charges the wallet refused for good, kept in the outbox as failed for an operator, ' +
        'by the refusal code.',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}
