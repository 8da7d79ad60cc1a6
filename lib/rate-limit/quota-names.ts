import type { LimitName, Limits } from './types.js';

/**
 * The one vocabulary of quotas. The rate limiter (and its Redis keys, and a refusal's `limit`) names
 * a limit short; the public schema (`Quota`, `QuotaInput`, `RateLimitStatus`) spells it out. Every
 * hop — policy's mutation and reads, the access decision, inference's limiter — converts through
 * this table, so the two spellings cannot drift apart.
 */
export const QUOTA_FIELDS = {
  rpm: 'requestsPerMinute',
  tpm: 'tokensPerMinute',
  tpd: 'tokensPerDay',
  keyRpm: 'keyRequestsPerMinute',
  keyTpm: 'keyTokensPerMinute',
} as const satisfies Record<LimitName, string>;

export type QuotaField = (typeof QUOTA_FIELDS)[LimitName];

/**
 * A quota as the schema spells it: every limit, null where unlimited. `maxConcurrentStreams` is a
 * count, not a rate, so the rate limiter does not keep it (inference's stream leases do).
 */
export type QuotaFigures = Record<QuotaField, number | null> & {
  maxConcurrentStreams?: number | null;
};

const NAMES = Object.keys(QUOTA_FIELDS) as LimitName[];

/** The schema's figures (null or absent where unlimited) as the rate limiter's limits. */
export function limitsOf(
  figures: Partial<Record<QuotaField | 'maxConcurrentStreams', number | null | undefined>>,
): Limits {
  const limits: Limits = {};
  for (const name of NAMES) {
    const value = figures[QUOTA_FIELDS[name]];
    if (value != null) limits[name] = value;
  }
  return limits;
}

/** The rate limiter's limits (and the stream limit) as the schema's figures (null: unlimited). */
export function quotaFiguresOf(limits: Limits & { maxConcurrentStreams?: number }): QuotaFigures {
  const figures = {} as QuotaFigures;
  for (const name of NAMES) figures[QUOTA_FIELDS[name]] = limits[name] ?? null;
  figures.maxConcurrentStreams = limits.maxConcurrentStreams ?? null;
  return figures;
}
