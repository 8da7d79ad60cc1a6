import { IterableBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';

/**
 * The platform's retry policy for calls between services (cockatiel's retry): a failure that
 * `retryable` accepts is tried again after each of `delaysMs` in turn; any other failure, and the
 * last one, is thrown as it is. Build one per schedule, once (a policy holds no per-call state).
 */
export function retryAfterDelays(options: {
  delaysMs: readonly number[];
  retryable(error: Error): boolean;
}): RetryPolicy {
  return retry(handleWhen(options.retryable), {
    maxAttempts: options.delaysMs.length,
    backoff: new IterableBackoff(options.delaysMs),
  });
}
