import { addHistogram, bucketOf, emptyHistogram, percentilesOf } from './histogram.js';
import { checkUsageRange } from './usage-report.js';

const histogramOf = (values: number[]) => {
  const h = emptyHistogram();
  for (const v of values) h[bucketOf(v)]! += 1;
  return h;
};

describe('latency histograms', () => {
  it('puts a duration in the first bucket whose bound it does not pass', () => {
    expect([0, 10, 11, 25, 26, 120_000, 120_001, 1e9].map(bucketOf)).toEqual([
      0, 0, 1, 1, 2, 21, 22, 22,
    ]);
  });

  it('percentiles interpolate inside the rank’s bucket, and merged histograms give the whole', () => {
    const fast = histogramOf(Array.from({ length: 90 }, () => 40)); // 25–50 ms
    const slow = histogramOf(Array.from({ length: 10 }, () => 900)); // 750–1000 ms
    const merged = addHistogram(addHistogram(emptyHistogram(), fast), slow);
    const p = percentilesOf(merged)!;
    expect(p.p50).toBeGreaterThan(25);
    expect(p.p50).toBeLessThanOrEqual(50);
    expect(p.p95).toBeGreaterThan(750);
    expect(p.p99).toBeLessThanOrEqual(1000);
    expect(p.p99).toBeGreaterThan(p.p95);
    expect(percentilesOf(emptyHistogram())).toBeNull();
    // The open last bucket answers its lower bound, never Infinity.
    expect(percentilesOf(histogramOf([500_000]))).toEqual({
      p50: 120_000,
      p95: 120_000,
      p99: 120_000,
    });
  });
});

describe('usage ranges', () => {
  const at = (iso: string) => new Date(iso);
  const code = (f: () => void) => {
    try {
      f();
      return 'OK';
    } catch (error) {
      return (error as { extensions?: { code?: string } }).extensions?.code;
    }
  };

  it('accepts bucket-aligned ranges within the limits and refuses the rest with BAD_USER_INPUT', () => {
    const day = (from: string, to: string) => code(() => checkUsageRange(at(from), at(to), 'DAY'));
    const hour = (from: string, to: string) =>
      code(() => checkUsageRange(at(from), at(to), 'HOUR'));
    expect(day('2026-01-01T00:00:00Z', '2027-01-02T00:00:00Z')).toBe('OK'); // 366 days
    expect(day('2026-01-01T00:00:00Z', '2027-01-03T00:00:00Z')).toBe('BAD_USER_INPUT');
    expect(day('2026-01-01T01:00:00Z', '2026-01-03T00:00:00Z')).toBe('BAD_USER_INPUT');
    expect(hour('2026-01-01T01:00:00Z', '2026-02-01T01:00:00Z')).toBe('OK'); // 31 days
    expect(hour('2026-01-01T01:00:00Z', '2026-02-01T02:00:00Z')).toBe('BAD_USER_INPUT');
    expect(hour('2026-01-01T01:30:00Z', '2026-01-01T03:00:00Z')).toBe('BAD_USER_INPUT');
    expect(hour('2026-01-01T03:00:00Z', '2026-01-01T03:00:00Z')).toBe('BAD_USER_INPUT');
  });
});
