import { createTtlCache } from './ttl-cache.js';

describe('the TTL cache', () => {
  it('keeps an entry for ttlMs by the given clock, from a clock at 0 too', () => {
    let clock = 0;
    const cache = createTtlCache<{ v: number }>({ ttlMs: 100, now: () => clock });
    cache.set('a', { v: 1 });
    clock = 100;
    expect(cache.get('a')).toEqual({ v: 1 });
    clock = 101;
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing with a TTL of 0, and at most `max` entries', () => {
    const off = createTtlCache<{ v: number }>({ ttlMs: 0 });
    off.set('a', { v: 1 });
    expect(off.get('a')).toBeUndefined();
    const small = createTtlCache<{ v: number }>({ ttlMs: 1000, max: 2 });
    small.set('a', { v: 1 });
    small.set('b', { v: 2 });
    small.set('c', { v: 3 });
    expect([small.get('a'), small.get('b'), small.get('c')]).toEqual([
      undefined,
      { v: 2 },
      { v: 3 },
    ]);
    small.delete('b');
    expect(small.get('b')).toBeUndefined();
  });
});
