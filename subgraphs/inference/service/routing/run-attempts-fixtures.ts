import { performance } from 'node:perf_hooks';
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { resolvedTarget } from './resolved-target-fixture.js';
import { ProviderError } from '../../providers/types.js';
import { createBreakers, type Breakers } from './breakers.js';
import {
  AllAttemptsFailedError,
  runAttempts,
  type Attempt,
  type AttemptSettings,
  type RunAttemptsOptions,
} from './run-attempts.js';

/* Targets, scripted calls and expected attempts shared by the runAttempts tests. */

/** A deployment `id` whose provider is `provider-<id>`, as the expected attempts name it. */
export const target = (id: string): ResolvedTarget =>
  resolvedTarget(id, { providerModel: `${id}-upstream`, providerId: `provider-${id}` });

export const [A, B, C] = [target('a'), target('b'), target('c')];

/** What one call to a deployment does: answer, throw, or run a function of the attempt's signal. */
export type Step = string | Error | ((signal: AbortSignal) => Promise<string>);

/** A `call` that plays a script per model id and records when each call started. */
export function scripted(script: Record<string, Step[]>) {
  const calls: Array<{ modelId: string; at: number }> = [];
  const call = async (t: ResolvedTarget, signal: AbortSignal): Promise<string> => {
    calls.push({ modelId: t.model.id, at: performance.now() });
    const step = script[t.model.id]?.shift();
    if (step === undefined) throw new Error(`unscripted call to ${t.model.id}`);
    if (typeof step === 'function') return step(signal);
    if (step instanceof Error) throw step;
    return step;
  };
  return { call, calls, called: () => calls.map((c) => c.modelId) };
}

/** A call that only ends when its signal aborts, as a hung provider does. */
export const hang = (signal: AbortSignal) =>
  new Promise<string>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

export const serverError = () => new ProviderError('SERVER_ERROR', 'overloaded', { status: 503 });

export const SETTINGS: AttemptSettings = {
  attemptTimeoutMs: 1_000,
  attemptsPerTarget: 3,
  retryBaseMs: 10,
  retryMaxMs: 1_000,
};

export const openBreakers = (): Breakers =>
  createBreakers({ failures: 100, halfOpenAfterMs: 60_000 });

export function run(
  targets: ResolvedTarget[],
  call: RunAttemptsOptions<string>['call'],
  overrides: Partial<Omit<RunAttemptsOptions<string>, 'settings'>> & {
    settings?: Partial<AttemptSettings>;
  } = {},
) {
  const { settings, ...rest } = overrides;
  return runAttempts<string>({
    targets,
    call,
    breakers: openBreakers(),
    deadline: new AbortController().signal,
    random: () => 0.5,
    ...rest,
    settings: { ...SETTINGS, ...settings },
  });
}

export async function failure(promise: Promise<unknown>): Promise<AllAttemptsFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AllAttemptsFailedError);
  return error as AllAttemptsFailedError;
}

export const succeeded = (modelId: string): Attempt => ({
  modelId,
  providerId: `provider-${modelId}`,
  outcome: 'SUCCEEDED',
  error: null,
  httpStatus: null,
  latencyMs: expect.any(Number) as number,
  retryAfterMs: null,
});

export const failed = (
  modelId: string,
  error: string,
  extra: Partial<Pick<Attempt, 'httpStatus' | 'retryAfterMs'>> = {},
): Attempt => ({
  modelId,
  providerId: `provider-${modelId}`,
  outcome: 'FAILED',
  error,
  httpStatus: extra.httpStatus ?? null,
  latencyMs: expect.any(Number) as number,
  retryAfterMs: extra.retryAfterMs ?? null,
});

export const skipped = (modelId: string, error: 'CIRCUIT_OPEN' | 'DEADLINE'): Attempt => ({
  modelId,
  providerId: `provider-${modelId}`,
  outcome: 'SKIPPED',
  error,
  httpStatus: null,
  latencyMs: 0,
  retryAfterMs: null,
});
