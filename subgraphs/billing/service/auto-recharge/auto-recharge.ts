import { randomUUID } from 'node:crypto';
import { createRechargeCharges } from './recharge-charges.js';
import type { AutoRechargeDeps } from './recharge-deps.js';
import { createRechargeEventHandlers } from './recharge-events.js';
import { createRechargeSettings } from './recharge-settings.js';

export type { AutoRechargeView } from './recharge-settings.js';

/**
 * Auto-recharge: settings and the saved method, the provider events it acts on, and the worker
 * that turns the wallet's low-balance crossings into off-session charges. The worker runs every
 * `rechargePollMs` on every replica; the feed's lease and the recharges' row claims keep each
 * crossing to one recharge and each attempt to one PaymentIntent.
 */
export function createAutoRecharge(deps: AutoRechargeDeps) {
  const charges = createRechargeCharges(deps);
  const owner = `billing:${randomUUID()}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  /**
   * One worker step: the feed read into recharges, the due ones charged, and those whose outcome
   * never arrived looked up at the provider.
   */
  async function step(): Promise<void> {
    const requestId = `recharge-${randomUUID()}`;
    try {
      await charges.readCrossings(owner, requestId);
      await charges.chargeDue(requestId);
      await charges.settleStale(requestId);
    } catch (error) {
      deps.logger.error({ err: error, requestId }, 'auto-recharge step failed; retried next time');
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = step().finally(() => {
        running = undefined;
        schedule();
      });
    }, deps.settings.rechargePollMs);
  };

  return {
    ...createRechargeSettings(deps, charges),
    handlers: createRechargeEventHandlers(deps, charges),
    /** Runs one worker step now (tests, and the operator's nudge). */
    step,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      await deps.recharges.releaseFeed(owner).catch(() => undefined);
    },
  };
}

export type AutoRecharge = ReturnType<typeof createAutoRecharge>;
