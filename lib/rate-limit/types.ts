/** Whose budget a request spends: its team's, and optionally its API key's as well. */
export interface RateLimitSubject {
  teamId: string;
  /** The API key the request came with; only then do `keyRpm` / `keyTpm` apply. */
  keyId?: string;
}

/**
 * The limits that apply to one subject. An omitted limit is unlimited; 0 lets nothing through.
 * Tokens are prompt plus completion tokens.
 */
export interface Limits {
  /** Requests per minute for the team. */
  rpm?: number;
  /** Tokens per minute for the team. */
  tpm?: number;
  /** Tokens per day (a rolling 24 h) for the team. */
  tpd?: number;
  /** Requests per minute for the API key (needs `subject.keyId`). */
  keyRpm?: number;
  /** Tokens per minute for the API key (needs `subject.keyId`). */
  keyTpm?: number;
}

export type LimitName = keyof Limits;

/** What one request costs: 1 request and its reserved tokens (prompt + max completion tokens). */
export interface Cost {
  requests: number;
  tokens: number;
}

/**
 * The outcome of `reserve`. A refusal names the limit and when a retry would pass; callers turn
 * it into RATE_LIMITED with `retryAfterSeconds = ceil(retryAfterMs / 1000)`. UNAVAILABLE and
 * `failedOpen` both mean the store could not be reached: callers log them.
 */
export type Decision =
  | { allowed: true; failedOpen: false }
  /** Allowed without checking: the store was unreachable and the limiter fails open. */
  | { allowed: true; failedOpen: true; error: string }
  | { allowed: false; reason: 'LIMITED'; limit: LimitName; retryAfterMs: number }
  /** The cost exceeds the limit itself: no wait will let it through. */
  | { allowed: false; reason: 'TOO_LARGE'; limit: LimitName }
  /** Refused without checking: the store was unreachable and the limiter fails closed. */
  | { allowed: false; reason: 'UNAVAILABLE'; error: string };

/** Remaining capacity of one limit. */
export interface LimitStatus {
  limit: number;
  remaining: number;
  /** Milliseconds until the limit is fully available again. */
  resetAfterMs: number;
}

/** `status` result: one entry per configured limit; `unavailable` when the store was unreachable. */
export type RateLimitStatus = Partial<Record<LimitName, LimitStatus>> & { unavailable?: string };

export interface RateLimiter {
  readonly kind: 'redis' | 'memory';
  /**
   * Checks every applicable limit and, only if all pass, consumes from all of them, atomically
   * (one Lua script call on Redis). A dimension whose cost is 0 is skipped.
   */
  reserve(subject: RateLimitSubject, limits: Limits, cost: Cost): Promise<Decision>;
  /**
   * Settles a reservation to actual usage: gives back `reservedTokens - actualTokens` to the token
   * limits (tpm, tpd, keyTpm), or charges the excess when more was used. Never refuses.
   * Resolves false when the store was unreachable (nothing was adjusted).
   */
  settle(
    subject: RateLimitSubject,
    limits: Limits,
    reservedTokens: number,
    actualTokens: number,
  ): Promise<boolean>;
  /** Remaining capacity per configured limit, without consuming. */
  status(subject: RateLimitSubject, limits: Limits): Promise<RateLimitStatus>;
  close(): Promise<void>;
}
