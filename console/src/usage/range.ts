import type { UsageGranularity } from '../generated/graphql';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The ranges the usage screen offers, in days. */
export const RANGE_DAYS = [7, 30, 90] as const;

/** The longest range the API reports by the hour (MAX_RANGE_DAYS in the inference subgraph). */
export const MAX_HOURLY_DAYS = 31;

/**
 * The last `days` days up to the end of the current bucket: both ends on bucket starts (whole
 * hours, or UTC midnights), as the `usage` query requires.
 */
export function usageRange(days: number, granularity: UsageGranularity, now = Date.now()) {
  const size = granularity === 'HOUR' ? HOUR_MS : DAY_MS;
  const to = Math.floor(now / size) * size + size;
  return { from: new Date(to - days * DAY_MS).toISOString(), to: new Date(to).toISOString() };
}

/** A bucket's start as people read it, in UTC: `2026-12-07` or `2026-12-07 14:00`. */
export function bucketLabel(start: string, granularity: UsageGranularity): string {
  const iso = new Date(start).toISOString();
  return granularity === 'HOUR' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
