import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How a service stops on SIGTERM (MODELGRAPH_DRAIN_TIMEOUT_MS, MODELGRAPH_DRAIN_DELAY_MS; see
 * docs/runbook.md, "Deploys and drain").
 */
export interface DrainOptions {
  /** The whole drain, from SIGTERM to the last connection cut; pools close after it. */
  timeoutMs: number;
  /**
   * How long the service first keeps serving, answering not ready and `connection: close`, so load
   * balancers and keep-alive clients move to other replicas before the listener closes.
   */
  delayMs: number;
}

/** One drain's deadline, which its steps share. */
export interface DrainClock {
  /** Waits out the delay (never past the deadline). */
  delay(): Promise<void>;
  /** Milliseconds left before the deadline (0 once past it). */
  remaining(): number;
}

export function drainClock(options: DrainOptions, now: () => number = Date.now): DrainClock {
  const deadline = now() + options.timeoutMs;
  const remaining = () => Math.max(0, deadline - now());
  return {
    remaining,
    async delay() {
      const ms = Math.min(options.delayMs, remaining());
      if (ms > 0) await sleep(ms);
    },
  };
}
