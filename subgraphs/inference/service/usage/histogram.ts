/**
 * Fixed latency buckets (upper bounds in ms, the last open-ended) shared by every rollup row, so
 * histograms of any rows add up element-wise and percentiles merge across hours, keys and teams.
 * Changing them is a migration: rows written with other bounds would no longer add up.
 */
export const BUCKET_BOUNDS_MS = [
  10,
  25,
  50,
  75,
  100,
  150,
  200,
  300,
  400,
  500,
  750,
  1_000,
  1_500,
  2_000,
  3_000,
  5_000,
  7_500,
  10_000,
  15_000,
  30_000,
  60_000,
  120_000,
  Number.POSITIVE_INFINITY,
] as const;

export type Histogram = number[];

export const emptyHistogram = (): Histogram => BUCKET_BOUNDS_MS.map(() => 0);

/** The bucket a duration falls in: the first whose upper bound it does not pass. */
export function bucketOf(ms: number): number {
  return BUCKET_BOUNDS_MS.findIndex((bound) => ms <= bound);
}

/** Adds `from` into `into`, element by element. */
export function addHistogram(into: Histogram, from: readonly number[]): Histogram {
  for (let i = 0; i < into.length; i += 1) into[i]! += from[i] ?? 0;
  return into;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/**
 * p50, p95 and p99 of a histogram, interpolated linearly inside the bucket the rank falls in
 * (the open last bucket answers its lower bound); null for an empty one. Exact to a bucket's width.
 */
export function percentilesOf(histogram: readonly number[]): Percentiles | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const at = (q: number) => {
    const rank = q * total;
    let below = 0;
    for (let i = 0; i < histogram.length; i += 1) {
      const count = histogram[i]!;
      if (count > 0 && below + count >= rank) {
        const lower = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!;
        const upper = BUCKET_BOUNDS_MS[i]!;
        if (!Number.isFinite(upper)) return lower;
        return lower + ((upper - lower) * (rank - below)) / count;
      }
      below += count;
    }
    return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 2]!;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
