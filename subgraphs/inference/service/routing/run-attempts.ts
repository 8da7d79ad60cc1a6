import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { ProviderError } from '../../providers/types.js';
import { retryDelayMs } from './backoff.js';
import type { Breakers } from './breakers.js';

/** One try at one deployment, as `Generation.attempts` reports it. */
export interface Attempt {
  modelId: string;
  providerId: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  /** Why it failed or was skipped: a ProviderError kind, CIRCUIT_OPEN or DEADLINE. */
  error: string | null;
  httpStatus: number | null;
  latencyMs: number;
  /** The wait the provider asked for (Retry-After). */
  retryAfterMs: number | null;
}

export interface AttemptSettings {
  attemptTimeoutMs: number;
  attemptsPerTarget: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Every deployment failed or was skipped; `attempts` says how. */
export class AllAttemptsFailedError extends Error {
  constructor(readonly attempts: Attempt[]) {
    super('every deployment of the route failed');
  }
}

export interface RunAttemptsOptions<T> {
  targets: readonly ResolvedTarget[];
  call(target: ResolvedTarget, signal: AbortSignal): Promise<T>;
  settings: AttemptSettings;
  breakers: Breakers;
  /** Aborts when the request's overall deadline passes. */
  deadline: AbortSignal;
  /** Told about every attempt that reached a provider (for live health). */
  onAttempt?(attempt: Attempt): void;
  random?: () => number;
  now?: () => number;
}

/**
 * Tries the targets in order: each up to `attemptsPerTarget` times while its failures are
 * retryable, waiting between tries (Retry-After when the provider sent one, else backoff with
 * jitter); a wait longer than `retryMaxMs` moves on to the next target instead. A target whose
 * circuit is open is skipped. Stops at the first success or when the deadline passes.
 *
 * Not cockatiel's retry (lib/retry-policy.ts), on purpose: cockatiel 3's retry waits on a plain
 * timer that the request's deadline cannot cut short, and a wait here must end the moment the
 * deadline passes (reported as a DEADLINE skip), as must a circuit that opens between tries.
 * The waits themselves (Retry-After, else full jitter) are `retryDelayMs`; the breakers are
 * cockatiel's.
 */
export async function runAttempts<T>(
  options: RunAttemptsOptions<T>,
): Promise<{ value: T; target: ResolvedTarget; attempts: Attempt[] }> {
  const { settings, deadline } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const attempts: Attempt[] = [];
  const record = (attempt: Attempt) => {
    attempts.push(attempt);
    if (attempt.outcome !== 'SKIPPED') options.onAttempt?.(attempt);
  };

  for (const target of options.targets) {
    const base = { modelId: target.model.id, providerId: target.model.provider.id };
    for (let retry = 0; retry < settings.attemptsPerTarget; retry += 1) {
      if (deadline.aborted) {
        attempts.push({ ...base, ...skipped('DEADLINE') });
        throw new AllAttemptsFailedError(attempts);
      }
      const started = now();
      const signal = AbortSignal.any([deadline, AbortSignal.timeout(settings.attemptTimeoutMs)]);
      try {
        const value = await options.breakers
          .breakerFor(target.model.id)
          .execute(() => options.call(target, signal));
        record({ ...base, ...succeeded(now() - started) });
        return { value, target, attempts };
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          attempts.push({ ...base, ...skipped('CIRCUIT_OPEN') });
          break;
        }
        const failure = asProviderError(error);
        record({ ...base, ...failed(failure, now() - started) });
        if (!failure.retryable || retry + 1 >= settings.attemptsPerTarget) break;
        const wait = retryDelayMs(retry, {
          baseMs: settings.retryBaseMs,
          maxMs: settings.retryMaxMs,
          retryAfterMs: failure.retryAfterMs,
          random,
        });
        if (wait > settings.retryMaxMs) break;
        try {
          await sleep(wait, undefined, { signal: deadline });
        } catch {
          // The deadline passed while waiting; the loop's check reports it.
        }
      }
    }
  }
  throw new AllAttemptsFailedError(attempts);
}

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('TIMEOUT', 'the attempt timed out', { cause: error });
  }
  return new ProviderError('NETWORK', (error as Error)?.message ?? String(error), {
    cause: error,
  });
}

const succeeded = (latencyMs: number) => ({
  outcome: 'SUCCEEDED' as const,
  error: null,
  httpStatus: null,
  latencyMs,
  retryAfterMs: null,
});

const failed = (error: ProviderError, latencyMs: number) => ({
  outcome: 'FAILED' as const,
  error: error.kind,
  httpStatus: error.status ?? null,
  latencyMs,
  retryAfterMs: error.retryAfterMs ?? null,
});

const skipped = (reason: string) => ({
  outcome: 'SKIPPED' as const,
  error: reason,
  httpStatus: null,
  latencyMs: 0,
  retryAfterMs: null,
});
