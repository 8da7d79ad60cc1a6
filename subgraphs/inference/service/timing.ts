import type { InferenceSettings } from '../config.js';

/** How long one call to another platform service may take (the service client's timeout). */
export const SERVICE_CALL_TIMEOUT_MS = 10_000;

/**
 * Waits between tries of a read from another service (a route, a policy decision) that failed for
 * transport reasons: a pooled connection closed by a callee that is draining (a rolling restart)
 * must not fail the call.
 */
export const READ_RETRY_DELAYS_MS = [50, 200];

/** Waits between tries of a wallet call that failed for transport reasons. */
export const WALLET_RETRY_DELAYS_MS = [50, 200, 800];

/**
 * The longest one wallet operation may take with its retries: each try may wait for the headers
 * and then for the body (a timeout each), plus the waits between tries. A hold must outlive the
 * provider attempts by this much, or a capture that is still being retried finds it expired.
 */
export const WALLET_CALL_BUDGET_MS =
  (WALLET_RETRY_DELAYS_MS.length + 1) * 2 * SERVICE_CALL_TIMEOUT_MS +
  WALLET_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);

/** How long a call may take, sized for the output it asks for. */
export interface CallTiming {
  /** Longest one provider attempt may take. */
  attemptTimeoutMs: number;
  /** Longest all attempts together may take. */
  deadlineMs: number;
  /** How long the call's hold lives: past the deadline and the capture's retries. */
  holdTtlSeconds: number;
}

/**
 * Timeouts that fit the request: a non-streamed answer arrives whole, so an attempt is given
 * `INFERENCE_ATTEMPT_TIMEOUT_MS` plus the time to generate `outputTokens` at
 * `INFERENCE_OUTPUT_TOKENS_PER_SECOND`, and the deadline grows by as much; the hold outlives both.
 */
export function callTimingOf(settings: InferenceSettings, outputTokens: number): CallTiming {
  const generationMs = Math.ceil((outputTokens * 1000) / settings.outputTokensPerSecond);
  const deadlineMs = settings.deadlineMs + generationMs;
  return {
    attemptTimeoutMs: settings.attemptTimeoutMs + generationMs,
    deadlineMs,
    holdTtlSeconds: Math.max(
      settings.holdTtlSeconds,
      Math.ceil((deadlineMs + WALLET_CALL_BUDGET_MS) / 1000),
    ),
  };
}

/** When the charge outbox (service/saga/charge-outbox.ts) looks for due charges and resends. */
export interface OutboxTiming {
  /** How often a replica looks for due charges. */
  pollMs: number;
  /** The first resend's wait; each failed send doubles it. */
  firstRetryMs: number;
  /** The longest wait between sends; an outage is waited out forever at this pace. */
  maxRetryMs: number;
  /**
   * How long a claimed charge is kept from other replicas: past a send's longest duration (a
   * capture, then a spend, each a service call of up to two timeouts), so only a replica that died
   * mid-send lets its claim lapse.
   */
  claimMs: number;
}

export const OUTBOX_TIMING: OutboxTiming = {
  pollMs: 1_000,
  firstRetryMs: 1_000,
  maxRetryMs: 60_000,
  claimMs: 2 * 2 * SERVICE_CALL_TIMEOUT_MS + 20_000,
};
