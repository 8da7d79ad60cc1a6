import { performance } from 'node:perf_hooks';
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { ProviderError } from '../../providers/types.js';
import { createBreakers, type Breakers, type CircuitStateName } from './breakers.js';
import {
  AllAttemptsFailedError,
  runAttempts,
  type Attempt,
  type AttemptSettings,
  type RunAttemptsOptions,
} from './run-attempts.js';

function target(id: string): ResolvedTarget {
  return {
    weight: 1,
    model: {
      id,
      providerModel: `${id}-upstream`,
      capabilities: ['CHAT'],
      tags: [],
      dataClassification: 'INTERNAL',
      status: 'ACTIVE',
      contextWindow: 8192,
      maxOutputTokens: null,
      embeddingDimensions: null,
      maxBatchSize: null,
      provider: { id: `provider-${id}`, kind: 'LOCAL', baseUrl: null, apiKeyEnv: null },
      price: { version: 1, inputPerMillion: '1', outputPerMillion: '1' },
    },
  };
}

const [A, B, C] = [target('a'), target('b'), target('c')];

/** What one call to a deployment does: answer, throw, or run a function of the attempt's signal. */
type Step = string | Error | ((signal: AbortSignal) => Promise<string>);

/** A `call` that plays a script per model id and records when each call started. */
function scripted(script: Record<string, Step[]>) {
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
const hang = (signal: AbortSignal) =>
  new Promise<string>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

const serverError = () => new ProviderError('SERVER_ERROR', 'overloaded', { status: 503 });

const SETTINGS: AttemptSettings = {
  attemptTimeoutMs: 1_000,
  attemptsPerTarget: 3,
  retryBaseMs: 10,
  retryMaxMs: 1_000,
};

const openBreakers = (): Breakers => createBreakers({ failures: 100, halfOpenAfterMs: 60_000 });

function run(
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

async function failure(promise: Promise<unknown>): Promise<AllAttemptsFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AllAttemptsFailedError);
  return error as AllAttemptsFailedError;
}

const succeeded = (modelId: string): Attempt => ({
  modelId,
  providerId: `provider-${modelId}`,
  outcome: 'SUCCEEDED',
  error: null,
  httpStatus: null,
  latencyMs: expect.any(Number) as number,
  retryAfterMs: null,
});

const failed = (
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

const skipped = (modelId: string, error: 'CIRCUIT_OPEN' | 'DEADLINE'): Attempt => ({
  modelId,
  providerId: `provider-${modelId}`,
  outcome: 'SKIPPED',
  error,
  httpStatus: null,
  latencyMs: 0,
  retryAfterMs: null,
});

describe('runAttempts', () => {
  it('returns the first answer with one SUCCEEDED attempt and calls nothing else', async () => {
    const { call, called } = scripted({ a: ['from a'], b: ['from b'] });
    const result = await run([A, B], call);
    expect(result.value).toBe('from a');
    expect(result.target).toBe(A);
    expect(result.attempts).toEqual([succeeded('a')]);
    expect(called()).toEqual(['a']);
  });

  it('measures latency with the injected clock', async () => {
    const ticks = [1_000, 1_042];
    const { call } = scripted({ a: ['ok'] });
    const result = await run([A], call, { now: () => ticks.shift()! });
    expect(result.attempts[0]!.latencyMs).toBe(42);
  });

  it('retries the same deployment after a SERVER_ERROR and succeeds', async () => {
    const { call, called } = scripted({ a: [serverError(), 'second try'], b: ['from b'] });
    const result = await run([A, B], call);
    expect(result.value).toBe('second try');
    expect(result.target).toBe(A);
    expect(result.attempts).toEqual([
      failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
      succeeded('a'),
    ]);
    expect(called()).toEqual(['a', 'a']);
  });

  it('turns other thrown errors into NETWORK failures, which are retried', async () => {
    const { call } = scripted({ a: [new Error('ECONNRESET'), 'ok'] });
    const result = await run([A], call);
    expect(result.attempts).toEqual([failed('a', 'NETWORK'), succeeded('a')]);
  });

  it('waits the Retry-After of a RATE_LIMITED answer before trying again', async () => {
    const limited = new ProviderError('RATE_LIMITED', 'slow down', {
      status: 429,
      retryAfterMs: 150,
    });
    const { call, calls } = scripted({ a: [limited, 'ok'] });
    const result = await run([A], call);
    expect(result.attempts).toEqual([
      failed('a', 'RATE_LIMITED', { httpStatus: 429, retryAfterMs: 150 }),
      succeeded('a'),
    ]);
    // Backoff alone would wait 5 ms (base 10 × random 0.5). Node timers may fire up to 1 ms early
    // against the monotonic clock.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(149);
  });

  it('moves to the next target at once when Retry-After exceeds retryMaxMs', async () => {
    const limited = new ProviderError('RATE_LIMITED', 'come back later', {
      status: 429,
      retryAfterMs: 5_000,
    });
    const { call, calls, called } = scripted({ a: [limited, 'too late'], b: ['from b'] });
    const result = await run([A, B], call, { settings: { retryMaxMs: 1_000 } });
    expect(result.target).toBe(B);
    expect(result.attempts).toEqual([
      failed('a', 'RATE_LIMITED', { httpStatus: 429, retryAfterMs: 5_000 }),
      succeeded('b'),
    ]);
    expect(called()).toEqual(['a', 'b']);
    expect(calls[1]!.at - calls[0]!.at).toBeLessThan(500);
  });

  it.each([
    ['BAD_REQUEST', 400],
    ['AUTH', 401],
  ] as const)('does not retry %s: it moves to the next target at once', async (kind, status) => {
    const { call, called } = scripted({
      a: [new ProviderError(kind, 'no', { status }), 'never'],
      b: ['from b'],
    });
    const result = await run([A, B], call);
    expect(result.value).toBe('from b');
    expect(result.attempts).toEqual([failed('a', kind, { httpStatus: status }), succeeded('b')]);
    expect(called()).toEqual(['a', 'b']);
  });

  it('counts an attempt that outlives attemptTimeoutMs as TIMEOUT and falls back', async () => {
    const { call, called } = scripted({ a: [hang], b: ['from b'] });
    const result = await run([A, B], call, {
      settings: { attemptTimeoutMs: 50, attemptsPerTarget: 1 },
    });
    expect(result.value).toBe('from b');
    expect(result.attempts).toEqual([failed('a', 'TIMEOUT'), succeeded('b')]);
    expect(result.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(40);
    expect(called()).toEqual(['a', 'b']);
  });

  it('throws AllAttemptsFailedError listing every attempt in order when all targets fail', async () => {
    const { call, called } = scripted({
      a: [serverError(), serverError()],
      b: [new ProviderError('AUTH', 'bad key', { status: 403 })],
      c: [
        new ProviderError('BAD_RESPONSE', 'not JSON'),
        new ProviderError('BAD_REQUEST', 'too long', { status: 400 }),
      ],
    });
    const error = await failure(run([A, B, C], call, { settings: { attemptsPerTarget: 2 } }));
    expect(error.attempts).toEqual([
      failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
      failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
      failed('b', 'AUTH', { httpStatus: 403 }),
      failed('c', 'BAD_RESPONSE'),
      failed('c', 'BAD_REQUEST', { httpStatus: 400 }),
    ]);
    expect(called()).toEqual(['a', 'a', 'b', 'c', 'c']);
  });

  describe('circuit breakers', () => {
    it('skips a deployment as CIRCUIT_OPEN once it has failed `failures` times in a row', async () => {
      const changes: Array<[string, CircuitStateName]> = [];
      const breakers = createBreakers({
        failures: 2,
        halfOpenAfterMs: 60_000,
        onChange: (modelId, state) => changes.push([modelId, state]),
      });
      const { call, called } = scripted({
        a: [serverError(), serverError(), 'never'],
        b: ['first run', 'second run'],
      });
      const settings = { attemptsPerTarget: 2 };

      const first = await run([A, B], call, { breakers, settings });
      expect(first.attempts).toEqual([
        failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
        failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
        succeeded('b'),
      ]);
      expect(changes).toEqual([['a', 'OPEN']]);
      expect(breakers.stateOf('a')).toBe('OPEN');
      expect(breakers.stateOf('b')).toBe('CLOSED');

      const second = await run([A, B], call, { breakers, settings });
      expect(second.value).toBe('second run');
      expect(second.attempts).toEqual([skipped('a', 'CIRCUIT_OPEN'), succeeded('b')]);
      expect(called()).toEqual(['a', 'a', 'b', 'b']);
    });

    it('skips the rest of a deployment’s tries once its circuit opens mid-run', async () => {
      const breakers = createBreakers({ failures: 2, halfOpenAfterMs: 60_000 });
      const { call, called } = scripted({ a: [serverError(), serverError(), 'never'], b: ['ok'] });
      const result = await run([A, B], call, { breakers, settings: { attemptsPerTarget: 3 } });
      expect(result.attempts).toEqual([
        failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
        failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
        skipped('a', 'CIRCUIT_OPEN'),
        succeeded('b'),
      ]);
      expect(called()).toEqual(['a', 'a', 'b']);
    });

    it('does not hold our own BAD_REQUEST against the deployment', async () => {
      const breakers = createBreakers({ failures: 2, halfOpenAfterMs: 60_000 });
      const badRequest = () => new ProviderError('BAD_REQUEST', 'no', { status: 400 });
      const { call, called } = scripted({ a: [badRequest(), badRequest(), 'ok'] });
      await failure(run([A], call, { breakers }));
      await failure(run([A], call, { breakers }));
      const third = await run([A], call, { breakers });
      expect(third.attempts).toEqual([succeeded('a')]);
      expect(breakers.stateOf('a')).toBe('CLOSED');
      expect(called()).toEqual(['a', 'a', 'a']);
    });
  });

  describe('the deadline', () => {
    it('skips as DEADLINE without calling when it has already passed', async () => {
      const deadline = new AbortController();
      deadline.abort();
      const { call, called } = scripted({ a: ['never'], b: ['never'] });
      const error = await failure(run([A, B], call, { deadline: deadline.signal }));
      expect(error.attempts).toEqual([skipped('a', 'DEADLINE')]);
      expect(called()).toEqual([]);
    });

    it('cuts a retry wait short and reports DEADLINE', async () => {
      const deadline = new AbortController();
      const { call, called } = scripted({ a: [serverError(), 'never'], b: ['never'] });
      const started = performance.now();
      // Backoff would wait 2.5 s (base 5 s × random 0.5); the deadline passes after 30 ms.
      setTimeout(() => deadline.abort(), 30);
      const error = await failure(
        run([A, B], call, {
          deadline: deadline.signal,
          settings: { retryBaseMs: 5_000, retryMaxMs: 10_000 },
        }),
      );
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(error.attempts).toEqual([
        failed('a', 'SERVER_ERROR', { httpStatus: 503 }),
        skipped('a', 'DEADLINE'),
      ]);
      expect(called()).toEqual(['a']);
    });

    it('aborts a running call through its signal and tries nothing after', async () => {
      const deadline = new AbortController();
      const { call, called } = scripted({ a: [hang, 'never'], b: ['never'] });
      setTimeout(() => deadline.abort(), 30);
      const error = await failure(run([A, B], call, { deadline: deadline.signal }));
      expect(error.attempts).toEqual([failed('a', 'TIMEOUT'), skipped('a', 'DEADLINE')]);
      expect(called()).toEqual(['a']);
    });
  });

  it('tells onAttempt about every attempt that was not skipped, in order', async () => {
    const breakers = createBreakers({ failures: 2, halfOpenAfterMs: 60_000 });
    const setup = scripted({ a: [serverError(), serverError()], b: ['ok'] });
    await run([A, B], setup.call, { breakers, settings: { attemptsPerTarget: 2 } });
    expect(breakers.stateOf('a')).toBe('OPEN');

    const seen: Attempt[] = [];
    const { call } = scripted({
      b: [new ProviderError('TIMEOUT', 'slow'), 'ok'],
      c: ['never'],
    });
    const result = await run([A, B, C], call, { breakers, onAttempt: (a) => seen.push(a) });
    expect(result.attempts).toEqual([
      skipped('a', 'CIRCUIT_OPEN'),
      failed('b', 'TIMEOUT'),
      succeeded('b'),
    ]);
    expect(seen).toEqual([failed('b', 'TIMEOUT'), succeeded('b')]);
    expect(seen[0]).toBe(result.attempts[1]);

    const deadline = new AbortController();
    deadline.abort();
    seen.length = 0;
    await failure(run([B], call, { deadline: deadline.signal, onAttempt: (a) => seen.push(a) }));
    expect(seen).toEqual([]);
  });
});
