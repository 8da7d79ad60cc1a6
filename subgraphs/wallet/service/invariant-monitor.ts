import { Gauge, type Registry } from 'prom-client';
import type { Queryable } from '../../../lib/db/index.js';
import type { Logger } from '../../../lib/logging.js';
import { checkLedgerInvariants } from '../store/invariants.js';

/**
 * Checks the ledger's invariants (store/invariants.ts, what the tests check) at start and every
 * `intervalMs`, and exports each one's result: `modelgraph_wallet_ledger_invariant_ok` (1 holds,
 * 0 broken) and when a check last completed. Each invariant is one SQL statement, so it reads one
 * snapshot and concurrent writes cannot make it fail falsely. Read-only: safe on every replica.
 */
export function createInvariantMonitor(
  db: Queryable,
  registry: Registry,
  logger: Logger,
  intervalMs: number,
) {
  const ok = new Gauge({
    name: 'modelgraph_wallet_ledger_invariant_ok',
    help: 'Whether each ledger invariant held at the last check (1) or was broken (0).',
    labelNames: ['invariant'],
    registers: [registry],
  });
  const lastCheck = new Gauge({
    name: 'modelgraph_wallet_ledger_invariant_last_check_timestamp_seconds',
    help: 'When the ledger invariants were last checked to the end (Unix seconds).',
    registers: [registry],
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const check = async () => {
    const results = await checkLedgerInvariants(db);
    const broken = Object.entries(results)
      .filter(([, holds]) => !holds)
      .map(([name]) => name);
    for (const [invariant, holds] of Object.entries(results)) ok.set({ invariant }, holds ? 1 : 0);
    lastCheck.setToCurrentTime();
    // Money is wrong somewhere: never quiet. The runbook says what to do.
    if (broken.length > 0) logger.error({ broken }, 'ledger invariant broken');
  };
  const tick = () => {
    // A check slower than the interval is not doubled up.
    running ??= check()
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'ledger invariant check could not run'),
      )
      .finally(() => (running = undefined));
  };
  return {
    start() {
      if (intervalMs <= 0 || timer) return;
      tick();
      timer = setInterval(tick, intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
