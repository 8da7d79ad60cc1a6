import { createBreakers } from './breakers.js';
import {
  A,
  B,
  C,
  failed,
  failure,
  hang,
  run,
  scripted,
  serverError,
  skipped,
  succeeded,
} from './run-attempts-fixtures.js';
import type { Attempt } from './run-attempts.js';
import { ProviderError } from '../../providers/types.js';

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
