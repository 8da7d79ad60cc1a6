import type { Limits } from '../../../../lib/rate-limit/index.js';
import { rateLimitError } from '../../../../lib/rate-limit/rate-limited-error.js';
import { timedStep } from './saga-metrics.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

/** Gives back the reserved tokens the call did not use (0 when it generated nothing); never throws. */
export type SettleTokens = (actualTokens: number) => Promise<void>;

/**
 * Reserves a call's requests and worst-case tokens against the team's (and key's) limits in one
 * atomic step, or throws RATE_LIMITED / SERVICE_UNAVAILABLE. Returns `settle`, which gives back the
 * unused tokens once the real usage is known (0 when nothing was generated); it never throws. A
 * call let through while the store was unreachable (fail open) reserved nothing, so it settles
 * nothing: giving back tokens never taken would wipe other calls' usage.
 */
export async function reserveRate(
  deps: SagaDeps,
  ctx: SagaContext,
  limits: Limits,
  cost: { requests: number; tokens: number },
): Promise<SettleTokens> {
  const subject = { teamId: ctx.teamId, keyId: ctx.keyId };
  const decision = await timedStep(
    deps.sagaMetrics,
    'rate_limit',
    () => deps.rateLimiter.reserve(subject, limits, cost),
    (d) => (d.allowed ? 'ok' : 'refused'),
  );
  if (!decision.allowed) {
    deps.sagaMetrics?.refused(decision);
    if (decision.reason === 'UNAVAILABLE') {
      ctx.logger.error({ err: decision.error }, 'rate limits unavailable; refusing the call');
      deps.rateLimitMetrics?.unavailable.inc({ limit: 'rate', outcome: 'refused' });
    }
    throw rateLimitError(decision);
  }
  if (decision.failedOpen) {
    ctx.logger.warn({ err: decision.error }, 'rate limits unavailable; call allowed (fail open)');
    deps.rateLimitMetrics?.unavailable.inc({ limit: 'rate', outcome: 'allowed' });
    return async () => undefined;
  }
  return async (actualTokens) => {
    const ok = await deps.rateLimiter
      .settle(subject, limits, cost.tokens, actualTokens)
      .catch(() => false);
    if (!ok) ctx.logger.warn({ reserved: cost.tokens, actualTokens }, 'token settlement lost');
  };
}
