import { createSingleflight } from './singleflight.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('singleflight', () => {
  it('runs concurrent calls of one key once; the others share the outcome', async () => {
    const flight = createSingleflight();
    const gate = deferred<string>();
    let runs = 0;
    const fn = () => {
      runs += 1;
      return gate.promise;
    };
    const calls = [flight.run('k', fn), flight.run('k', fn), flight.run('k', fn)];
    gate.resolve('answer');
    expect(await Promise.all(calls)).toEqual([
      { value: 'answer', shared: false },
      { value: 'answer', shared: true },
      { value: 'answer', shared: true },
    ]);
    expect(runs).toBe(1);
  });

  it('rejects every caller with the failure of the shared run', async () => {
    const flight = createSingleflight();
    const gate = deferred<string>();
    const boom = new Error('provider down');
    const calls = [flight.run('k', () => gate.promise), flight.run('k', () => gate.promise)];
    gate.reject(boom);
    const settled = await Promise.allSettled(calls);
    expect(settled).toEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
  });

  it('runs again once the flight is over, whether it succeeded or failed', async () => {
    const flight = createSingleflight();
    let runs = 0;
    await expect(
      flight.run('k', async () => {
        runs += 1;
        throw new Error('first fails');
      }),
    ).rejects.toThrow('first fails');
    await expect(flight.run('k', async () => (runs += 1))).resolves.toEqual({
      value: 2,
      shared: false,
    });
    await expect(flight.run('k', async () => (runs += 1))).resolves.toEqual({
      value: 3,
      shared: false,
    });
    expect(runs).toBe(3);
  });

  it('runs different keys separately, concurrently', async () => {
    const flight = createSingleflight();
    const gates = { a: deferred<string>(), b: deferred<string>() };
    const started: string[] = [];
    const run = (key: 'a' | 'b') =>
      flight.run(key, () => {
        started.push(key);
        return gates[key].promise;
      });
    const a = run('a');
    const b = run('b');
    expect(started).toEqual(['a', 'b']);
    gates.b.resolve('B');
    await expect(b).resolves.toEqual({ value: 'B', shared: false });
    gates.a.resolve('A');
    await expect(a).resolves.toEqual({ value: 'A', shared: false });
  });
});
