/*
 * GCRA (generic cell rate algorithm): a token bucket kept as its theoretical arrival time TAT, the
 * moment the bucket is full again. With `limit` units per `periodMs`, one unit costs the emission
 * interval T = periodMs / limit, and the burst tolerance is the whole period, so up to `limit`
 * units pass at once from a full bucket.
 *
 * A request of cost c at time `now` passes iff max(TAT, now) + c·T − now ≤ periodMs, and then
 * TAT := max(TAT, now) + c·T. A refused request would pass after
 * (max(TAT, now) + c·T − periodMs) − now. No state means a full bucket (TAT = now).
 *
 * TAT is stored as `at + units·T`: the time of the last write and the units outstanding then.
 * An epoch TAT in ms would be a double near 1.8e12 whose rounding, added up over a burst of
 * non-integral T, refuses units that should pass (123,457/min lost 22); units outstanding are
 * whole numbers during a burst and small otherwise, so the count is exact.
 *
 * redis-limiter.ts runs the same arithmetic in Lua; keep the two in step.
 */

/** Slack in units on comparisons, for float rounding after refill: a unit may pass 1e-6 early. */
export const GCRA_EPSILON_UNITS = 1e-6;

/** One limit: `limit` units per `periodMs`. */
export interface GcraLimit {
  limit: number;
  periodMs: number;
}

/** Units outstanding at time `at` (ms), i.e. TAT = at + units·T. Undefined: a full bucket. */
export interface GcraState {
  units: number;
  at: number;
}

export type GcraCheck =
  | { outcome: 'ALLOWED'; state: GcraState }
  | { outcome: 'LIMITED'; retryAfterMs: number }
  | { outcome: 'TOO_LARGE' };

/** Units still outstanding at `now`: max(TAT − now, 0) / T. */
export function outstanding(state: GcraState | undefined, now: number, limit: GcraLimit): number {
  if (!state) return 0;
  const drained = (Math.max(now - state.at, 0) * limit.limit) / limit.periodMs;
  return Math.max(state.units - drained, 0);
}

/** The theoretical arrival time the state stands for. */
export function theoreticalArrival(state: GcraState, limit: GcraLimit): number {
  return state.at + (state.units * limit.periodMs) / limit.limit;
}

/** Decides one request of `cost` units against one limit. A cost above the limit: TOO_LARGE. */
export function gcraCheck(
  state: GcraState | undefined,
  now: number,
  limit: GcraLimit,
  cost: number,
): GcraCheck {
  if (cost > limit.limit) return { outcome: 'TOO_LARGE' };
  const units = outstanding(state, now, limit) + cost;
  const over = units - limit.limit;
  if (over > GCRA_EPSILON_UNITS) {
    // Less the slack the check allows, so float noise does not round a whole ms up.
    const waitUnits = over - GCRA_EPSILON_UNITS;
    return {
      outcome: 'LIMITED',
      retryAfterMs: Math.ceil((waitUnits * limit.periodMs) / limit.limit),
    };
  }
  return { outcome: 'ALLOWED', state: { units, at: now } };
}

/**
 * Moves TAT by `deltaUnits`·T (negative: units given back; positive: extra units used). Units
 * given back never fill the bucket beyond full (TAT never below now): undefined means full, the
 * state can be dropped. Extra units are charged even beyond the period: the usage happened, so
 * later requests wait for it.
 */
export function gcraAdjust(
  state: GcraState | undefined,
  now: number,
  limit: GcraLimit,
  deltaUnits: number,
): GcraState | undefined {
  const units = outstanding(state, now, limit) + deltaUnits;
  return units > 0 ? { units, at: now } : undefined;
}

/** What is left of one limit at `now`, without consuming. */
export interface GcraRemaining {
  /** Units a request could take now. */
  remaining: number;
  /** Milliseconds until the bucket is full again (0 when it is). */
  resetAfterMs: number;
}

export function gcraRemaining(
  state: GcraState | undefined,
  now: number,
  limit: GcraLimit,
): GcraRemaining {
  const units = outstanding(state, now, limit);
  // The epsilon mirrors gcraCheck: a unit that check would admit counts as remaining.
  const remaining = Math.max(0, Math.floor(limit.limit - units + GCRA_EPSILON_UNITS));
  return { remaining, resetAfterMs: Math.ceil((units * limit.periodMs) / limit.limit) };
}

/** Milliseconds a state must live: until its TAT, after which no state means the same. */
export function gcraTtlMs(state: GcraState, limit: GcraLimit): number {
  return Math.max(1, Math.ceil((state.units * limit.periodMs) / limit.limit));
}
