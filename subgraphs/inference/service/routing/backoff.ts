/**
 * How long to wait before retrying the same deployment: the provider's Retry-After when it sent
 * one, else exponential backoff with full jitter (a random wait up to base × 2^retry, capped).
 */
export function retryDelayMs(
  retry: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number; random: () => number },
): number {
  if (options.retryAfterMs !== undefined) return options.retryAfterMs;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  return Math.floor(options.random() * ceiling);
}
