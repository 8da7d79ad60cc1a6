import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('returns the Retry-After when the provider sent one, even above the cap or zero', () => {
    let draws = 0;
    const random = () => {
      draws += 1;
      return 0.5;
    };
    expect(retryDelayMs(0, { baseMs: 100, maxMs: 1_000, retryAfterMs: 250, random })).toBe(250);
    expect(retryDelayMs(3, { baseMs: 100, maxMs: 1_000, retryAfterMs: 5_000, random })).toBe(5_000);
    expect(retryDelayMs(2, { baseMs: 100, maxMs: 1_000, retryAfterMs: 0, random })).toBe(0);
    expect(draws).toBe(0);
  });

  it.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
  ])('retry %p waits a random time in [0, %p ms)', (retry, ceiling) => {
    const options = { baseMs: 100, maxMs: 10_000 };
    expect(retryDelayMs(retry, { ...options, random: () => 0 })).toBe(0);
    expect(retryDelayMs(retry, { ...options, random: () => 0.5 })).toBe(ceiling / 2);
    expect(retryDelayMs(retry, { ...options, random: () => 0.999_999 })).toBe(ceiling - 1);
  });

  it('stays within the full-jitter bounds for any draw', () => {
    for (let retry = 0; retry < 12; retry += 1) {
      for (const draw of [0, 0.123, 0.5, 0.77, 0.999_999_999]) {
        const wait = retryDelayMs(retry, { baseMs: 50, maxMs: 30_000, random: () => draw });
        expect(Number.isInteger(wait)).toBe(true);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThan(Math.min(30_000, 50 * 2 ** retry));
      }
    }
  });

  it('caps the ceiling at maxMs however many retries there were', () => {
    const random = () => 0.999_999;
    expect(retryDelayMs(5, { baseMs: 100, maxMs: 1_000, random })).toBe(999);
    expect(retryDelayMs(60, { baseMs: 100, maxMs: 1_000, random })).toBe(999);
    expect(retryDelayMs(60, { baseMs: 100, maxMs: 1_000, random: () => 0.5 })).toBe(500);
  });
});
