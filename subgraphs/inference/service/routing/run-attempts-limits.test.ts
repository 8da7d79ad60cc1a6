import { createBreakers, type CircuitStateName } from './breakers.js';
import {
  A,
  B,
  failed,
  failure,
  hang,
  run,
  scripted,
  serverError,
  skipped,
  succeeded,
} from './run-attempts-fixtures.js';
import { ProviderError } from '../../providers/types.js';
import { performance } from 'node:perf_hooks';

describe('runAttempts', () => {
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
});
