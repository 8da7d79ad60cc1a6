import {
  gcraAdjust,
  gcraCheck,
  gcraRemaining,
  theoreticalArrival,
  type GcraLimit,
  type GcraState,
} from './gcra.js';

const RPM: GcraLimit = { limit: 100, periodMs: 60_000 }; // T = 600 ms
const T0 = 1_790_000_000_000;

/** Runs up to `count` requests of `cost` at `now`, returning how many passed and the state. */
function burst(
  state: GcraState | undefined,
  now: number,
  limit: GcraLimit,
  cost: number,
  count: number,
) {
  let passed = 0;
  for (let i = 0; i < count; i++) {
    const check = gcraCheck(state, now, limit, cost);
    if (check.outcome !== 'ALLOWED') break;
    state = check.state;
    passed += 1;
  }
  return { passed, state };
}

describe('GCRA arithmetic', () => {
  it('lets exactly `limit` through at once, then refuses with the wait for one emission', () => {
    const { passed, state } = burst(undefined, T0, RPM, 1, 1000);
    expect(passed).toBe(100);
    expect(theoreticalArrival(state as GcraState, RPM)).toBe(T0 + 60_000);
    expect(gcraCheck(state, T0, RPM, 1)).toEqual({ outcome: 'LIMITED', retryAfterMs: 600 });
    expect(gcraCheck(state, T0 + 599, RPM, 1)).toEqual({ outcome: 'LIMITED', retryAfterMs: 1 });
    expect(gcraCheck(state, T0 + 600, RPM, 1)).toMatchObject({ outcome: 'ALLOWED' });
  });

  it('refills at one unit per emission interval, never beyond the limit', () => {
    const { state } = burst(undefined, T0, RPM, 1, 100);
    expect(burst(state, T0 + 6_000, RPM, 1, 1000).passed).toBe(10);
    expect(burst(state, T0 + 60_000, RPM, 1, 1000).passed).toBe(100);
    expect(burst(state, T0 + 10 * 60_000, RPM, 1, 1000).passed).toBe(100);
    expect(gcraRemaining(state, T0 + 6_000, RPM)).toEqual({ remaining: 10, resetAfterMs: 54_000 });
    expect(gcraRemaining(state, T0 + 120_000, RPM)).toEqual({ remaining: 100, resetAfterMs: 0 });
    expect(gcraRemaining(undefined, T0, RPM)).toEqual({ remaining: 100, resetAfterMs: 0 });
  });

  it('charges cost × T, and the wait is for the whole cost', () => {
    const tpm: GcraLimit = { limit: 1000, periodMs: 60_000 }; // T = 60 ms
    const first = gcraCheck(undefined, T0, tpm, 700);
    expect(first).toEqual({ outcome: 'ALLOWED', state: { units: 700, at: T0 } });
    const state = first.outcome === 'ALLOWED' ? first.state : undefined;
    expect(gcraRemaining(state, T0, tpm).remaining).toBe(300);
    expect(gcraCheck(state, T0, tpm, 300)).toMatchObject({ outcome: 'ALLOWED' });
    // 400 needs 100 more tokens to drain: 100 × 60 ms.
    expect(gcraCheck(state, T0, tpm, 400)).toEqual({ outcome: 'LIMITED', retryAfterMs: 6_000 });
    expect(gcraCheck(state, T0 + 5_999, tpm, 400)).toMatchObject({ outcome: 'LIMITED' });
    expect(gcraCheck(state, T0 + 6_000, tpm, 400)).toMatchObject({ outcome: 'ALLOWED' });
  });

  it('reports a cost above the limit as TOO_LARGE, whatever the state', () => {
    expect(gcraCheck(undefined, T0, RPM, 101)).toEqual({ outcome: 'TOO_LARGE' });
    expect(gcraCheck(undefined, T0, { limit: 0, periodMs: 60_000 }, 1)).toEqual({
      outcome: 'TOO_LARGE',
    });
    expect(gcraCheck(undefined, T0, RPM, 100)).toMatchObject({ outcome: 'ALLOWED' });
  });

  it('admits exactly `limit` when T is not a whole number of ms, also after a partial refill', () => {
    for (const limit of [7, 9, 13, 333, 997, 123_457]) {
      const l = { limit, periodMs: 60_000 };
      const first = burst(undefined, T0 + 0.123, l, 1, limit + 5);
      expect(first.passed).toBe(limit);
      // A whole period later the bucket is full again: exactly `limit` once more.
      expect(burst(first.state, T0 + 60_000.123, l, 1, limit + 5).passed).toBe(limit);
    }
    const day = { limit: 1_000_003, periodMs: 86_400_000 };
    expect(burst(undefined, T0, day, 999, 2000).passed).toBe(Math.floor(1_000_003 / 999));
  });

  it('settles: gives units back down to a full bucket, and charges extra beyond the period', () => {
    const tpm: GcraLimit = { limit: 1000, periodMs: 60_000 };
    const state = { units: 500, at: T0 };
    expect(gcraAdjust(state, T0, tpm, -200)).toEqual({ units: 300, at: T0 });
    expect(gcraAdjust(state, T0, tpm, -900)).toBeUndefined();
    const over = gcraAdjust(state, T0, tpm, 800);
    expect(over).toEqual({ units: 1300, at: T0 });
    expect(gcraRemaining(over, T0, tpm)).toEqual({ remaining: 0, resetAfterMs: 78_000 });
    // After the state has drained, giving back cannot fill beyond full.
    expect(gcraAdjust(state, T0 + 40_000, tpm, -10)).toBeUndefined();
  });
});
