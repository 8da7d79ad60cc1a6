import { createKeyedBatcher, oneByOne } from './keyed-batcher.js';

describe('keyed batcher (group commit per key)', () => {
  it('runs a lone request at once and batches what arrives while a batch is in flight, per key', async () => {
    const calls: Array<[string, number[]]> = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const submit = createKeyedBatcher<number, number>(async (key, batch) => {
      calls.push([key, batch]);
      if (calls.length === 1) await gate;
      return batch.map((n) => n * 10);
    });
    const first = submit('w1', 1);
    const queued = [submit('w1', 2), submit('w1', 3), submit('w2', 4)];
    release();
    expect(await Promise.all([first, ...queued])).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([
      ['w1', [1]],
      ['w2', [4]],
      ['w1', [2, 3]],
    ]);
  });

  it('rejects exactly the requests whose result is an Error', async () => {
    const submit = createKeyedBatcher<number, number>(async (_key, batch) =>
      batch.map((n) => (n < 0 ? new Error(`bad ${n}`) : n)),
    );
    const results = await Promise.allSettled([submit('w', 1), submit('w', -2), submit('w', 3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('caps a batch at maxBatch', async () => {
    const sizes: number[] = [];
    const submit = createKeyedBatcher<number, number>(async (_key, batch) => {
      sizes.push(batch.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return batch;
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => submit('w', i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });

  it('oneByOne keeps order and turns throws into Errors', async () => {
    const results = await oneByOne([
      { single: async () => 'a' },
      { single: async () => Promise.reject(new Error('no')) },
      { single: async () => 'c' },
    ]);
    expect(results[0]).toBe('a');
    expect(results[1]).toBeInstanceOf(Error);
    expect(results[2]).toBe('c');
  });
});
