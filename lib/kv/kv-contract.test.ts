import { eventually } from '../../test/support/eventually.js';
import { createTestKv, type TestKv } from '../../test/support/stores.js';
import { REAL_STORES_REASON, STORE_MODES, TEST_REDIS_URL } from '../../test/support/test-env.js';
import { Redis } from 'ioredis';
import { createKv } from './index.js';
import { createMemoryKv } from './memory.js';
import type { Kv } from './types.js';

// The TTL tests wait for conditions (a key gone, a pttl run down), never for fixed times, and keep
// hundreds of milliseconds between what they assert and a TTL's edge: a busy machine slows them down
// but cannot flip them.
const gone = (kv: Kv, key: string) =>
  eventually(`${key} expires`, async () => ((await kv.get(key)) === null ? true : undefined), {
    timeoutMs: 5_000,
    intervalMs: 10,
  });
const pttlAtMost = (kv: Kv, key: string, ms: number) =>
  eventually(
    `${key}'s pttl runs down to ${ms} ms`,
    async () => {
      const left = await kv.pttl(key);
      return left > 0 && left <= ms ? left : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 10 },
  );

// One contract, two stores: whatever a service relies on must hold on Redis and in memory alike.
describe.each(STORE_MODES)('Kv contract (%s store)', (mode) => {
  let store: TestKv;
  let kv: Kv;

  beforeAll(async () => {
    store = await createTestKv(mode);
    kv = store.kv;
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('is the kind of store the mode asks for', () => {
    expect(kv.kind).toBe(mode === 'real' ? 'redis' : 'memory');
  });

  it('gets what was set, and null for a missing key', async () => {
    await expect(kv.set('plain', 'one')).resolves.toBe(true);
    await expect(kv.get('plain')).resolves.toBe('one');
    await expect(kv.set('plain', 'two')).resolves.toBe(true);
    await expect(kv.get('plain')).resolves.toBe('two');
    await expect(kv.get('never-set')).resolves.toBeNull();
  });

  it('mgets values in key order, with null for missing keys', async () => {
    await kv.set('m:a', 'A');
    await kv.set('m:c', 'C');
    await expect(kv.mget(['m:c', 'm:missing', 'm:a'])).resolves.toEqual(['C', null, 'A']);
    await expect(kv.mget([])).resolves.toEqual([]);
  });

  it('deletes keys and counts only the ones that existed', async () => {
    await kv.set('d:1', 'x');
    await kv.set('d:2', 'y');
    await expect(kv.del('d:1', 'd:2', 'd:missing')).resolves.toBe(2);
    await expect(kv.mget(['d:1', 'd:2'])).resolves.toEqual([null, null]);
    await expect(kv.del('d:1')).resolves.toBe(0);
    await expect(kv.del()).resolves.toBe(0);
  });

  it('writes with onlyIfAbsent only when the key is missing (NX)', async () => {
    await expect(kv.set('nx', 'first', { onlyIfAbsent: true })).resolves.toBe(true);
    await expect(kv.set('nx', 'second', { onlyIfAbsent: true })).resolves.toBe(false);
    await expect(kv.get('nx')).resolves.toBe('first');
    await kv.del('nx');
    await expect(kv.set('nx', 'third', { onlyIfAbsent: true })).resolves.toBe(true);
    await expect(kv.get('nx')).resolves.toBe('third');
  });

  it('expires a key set with ttlMs, after which NX may write it again', async () => {
    const setAt = Date.now();
    await kv.set('ttl', 'short', { ttlMs: 300, onlyIfAbsent: true });
    const pttl = await kv.pttl('ttl');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    await expect(kv.get('ttl')).resolves.toBe('short');
    await gone(kv, 'ttl');
    // Gone because its TTL ran out, not sooner (Redis rounds to the millisecond, hence the slack).
    expect(Date.now() - setAt).toBeGreaterThanOrEqual(290);
    await expect(kv.mget(['ttl'])).resolves.toEqual([null]);
    await expect(kv.pttl('ttl')).resolves.toBe(-2);
    await expect(kv.set('ttl', 'again', { onlyIfAbsent: true })).resolves.toBe(true);
    await expect(kv.pttl('ttl')).resolves.toBe(-1);
  });

  it('reports pttl -1 for a key without expiry and -2 for a missing key', async () => {
    await kv.set('forever', 'v');
    await expect(kv.pttl('forever')).resolves.toBe(-1);
    await expect(kv.pttl('nobody-home')).resolves.toBe(-2);
  });

  it('incrBy creates a counter from zero and adds to it', async () => {
    await expect(kv.incrBy('c:plain', 5)).resolves.toBe(5);
    await expect(kv.incrBy('c:plain', -2)).resolves.toBe(3);
    await expect(kv.get('c:plain')).resolves.toBe('3');
    await expect(kv.pttl('c:plain')).resolves.toBe(-1);
  });

  it('incrBy applies ttlMs on creation only: later calls keep the original expiry', async () => {
    await expect(kv.incrBy('c:window', 1, { ttlMs: 1_000 })).resolves.toBe(1);
    await pttlAtMost(kv, 'c:window', 600);
    // A fresh TTL here would reset the window to 1000ms; the original has at most 600ms left.
    await expect(kv.incrBy('c:window', 1, { ttlMs: 1_000 })).resolves.toBe(2);
    const left = await kv.pttl('c:window');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(600);
    await gone(kv, 'c:window');
    // Once the window is gone, the next increment starts a new one.
    await expect(kv.incrBy('c:window', 1, { ttlMs: 1_000 })).resolves.toBe(1);
    expect(await kv.pttl('c:window')).toBeGreaterThan(600);
  });

  it('sums concurrent incrBy calls exactly, from two clients when there is a server', async () => {
    // A second client on the same keys plays another replica; the memory store has only itself.
    const other = store.redisUrl
      ? await createKv({ url: store.redisUrl, keyPrefix: store.keyPrefix })
      : kv;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? kv : other).incrBy('c:race', i % 2 === 0 ? 1 : 2, { ttlMs: 10_000 }),
      ),
    );
    if (other !== kv) await other.close();
    await expect(kv.get('c:race')).resolves.toBe('150');
    // Every caller saw a distinct running total: no two increments read the same value.
    expect(new Set(results).size).toBe(100);
    expect(Math.max(...results)).toBe(150);
  });

  it('incrByAll adds each amount to its counter in order, each getting its ttl on creation only', async () => {
    await kv.incrBy('h:{m}:calls', 4, { ttlMs: 60_000 });
    await expect(
      kv.incrByAll(
        [
          ['h:{m}:calls', 1],
          ['h:{m}:lat2', 3],
          ['h:{m}:errors', 1],
        ],
        { ttlMs: 1_000 },
      ),
    ).resolves.toEqual([5, 3, 1]);
    expect(await kv.pttl('h:{m}:calls')).toBeGreaterThan(1_000);
    const fresh = await kv.pttl('h:{m}:lat2');
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThanOrEqual(1_000);
    await expect(kv.incrByAll([])).resolves.toEqual([]);
    await expect(kv.mget(['h:{m}:calls', 'h:{m}:errors'])).resolves.toEqual(['5', '1']);
  });

  it('treats keys with a hash tag like any other key', async () => {
    await kv.set('rl:{team:1}:rpm', 'a');
    await kv.incrBy('rl:{team:1}:tpm', 7, { ttlMs: 10_000 });
    await expect(
      kv.mget(['rl:{team:1}:rpm', 'rl:{team:1}:tpm', 'rl:{team:2}:rpm']),
    ).resolves.toEqual(['a', '7', null]);
    expect(await kv.pttl('rl:{team:1}:tpm')).toBeGreaterThan(0);
    await expect(kv.del('rl:{team:1}:rpm', 'rl:{team:1}:tpm')).resolves.toBe(2);
  });

  it('refuses to increment a value that is not an integer', async () => {
    await kv.set('text', 'abc');
    await expect(kv.incrBy('text', 1)).rejects.toThrow(/not an integer/);
    await expect(kv.get('text')).resolves.toBe('abc');
  });

  it('answers ping', async () => {
    await expect(kv.ping()).resolves.toBeUndefined();
  });

  it('delivers what is published to every subscriber of the channel, after saying it is live', async () => {
    const heard: string[] = [];
    const subscribed = (who: string, channel: string) =>
      new Promise<() => Promise<void>>((resolve) => {
        const stop = kv.subscribe(channel, {
          message: (text) => heard.push(`${who}:${text}`),
          live: (up) => up && resolve(stop),
        });
      });
    const [stopA, stopB, stopOther] = await Promise.all([
      subscribed('a', 'news'),
      subscribed('b', 'news'),
      subscribed('other', 'elsewhere'),
    ]);
    await kv.publish('news', 'one');
    await eventually(
      'both subscribers hear it',
      async () => (heard.length >= 2 ? true : undefined),
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(heard.sort()).toEqual(['a:one', 'b:one']);
    await stopA();
    await kv.publish('news', 'two');
    await eventually(
      'the one left hears it',
      async () => (heard.includes('b:two') ? true : undefined),
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(heard.filter((h) => h.startsWith('a:'))).toEqual(['a:one']);
    await Promise.all([stopB(), stopOther()]);
  });
});

describe('memory Kv with an injected clock', () => {
  let clock = 1_000_000;
  const kv = createMemoryKv({ now: () => clock });
  afterAll(() => kv.close());

  it('expires keys when the clock passes their deadline, not before', async () => {
    await kv.set('k', 'v', { ttlMs: 1000 });
    await expect(kv.pttl('k')).resolves.toBe(1000);
    clock += 999;
    await expect(kv.get('k')).resolves.toBe('v');
    await expect(kv.pttl('k')).resolves.toBe(1);
    clock += 1;
    await expect(kv.get('k')).resolves.toBeNull();
    await expect(kv.pttl('k')).resolves.toBe(-2);
    await expect(kv.del('k')).resolves.toBe(0);
  });

  it('keeps a counter window fixed from its first increment', async () => {
    await kv.incrBy('w', 1, { ttlMs: 60_000 });
    clock += 59_000;
    await expect(kv.incrBy('w', 1, { ttlMs: 60_000 })).resolves.toBe(2);
    await expect(kv.pttl('w')).resolves.toBe(1000);
    clock += 1000;
    await expect(kv.incrBy('w', 1, { ttlMs: 60_000 })).resolves.toBe(1);
    await expect(kv.pttl('w')).resolves.toBe(60_000);
  });

  it('lets NX write a key once it has expired', async () => {
    await kv.set('lock', 'a', { ttlMs: 10, onlyIfAbsent: true });
    await expect(kv.set('lock', 'b', { ttlMs: 10, onlyIfAbsent: true })).resolves.toBe(false);
    clock += 10;
    await expect(kv.set('lock', 'b', { ttlMs: 10, onlyIfAbsent: true })).resolves.toBe(true);
    await expect(kv.get('lock')).resolves.toBe('b');
  });
});

if (!TEST_REDIS_URL) console.warn(`[Redis Kv channels] Not run: ${REAL_STORES_REASON}`);
const withRedis = TEST_REDIS_URL ? describe : describe.skip;

/** A promise and what settles it (Promise.withResolvers, which Node 20 lacks). */
function signal() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

withRedis('Redis Kv channels', () => {
  const redisUrl = TEST_REDIS_URL as string;
  let store: TestKv;

  beforeAll(async () => {
    store = await createTestKv('real');
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('reach other clients of the same prefix only, and say when delivery was down', async () => {
    const { kv, keyPrefix } = store;
    const sibling = await createKv({ url: redisUrl, keyPrefix });
    const stranger = await createKv({ url: redisUrl, keyPrefix: `${keyPrefix}other:` });
    const heard: string[] = [];
    const states: boolean[] = [];
    let live = signal();
    const stop = kv.subscribe('revoked', {
      message: (text) => heard.push(text),
      live: (up) => {
        states.push(up);
        if (up) live.resolve();
      },
    });
    await live.promise;
    await stranger.publish('revoked', 'not ours');
    await sibling.publish('revoked', 'ours');
    await eventually(
      'the message from a client of the same prefix',
      async () => (heard.includes('ours') ? true : undefined),
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(heard).toEqual(['ours']);

    // The subscriber's connection is killed: delivery is down, then live again, and works.
    live = signal();
    const admin = new Redis(redisUrl);
    const clients = (await admin.client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(` name=${keyPrefix}channels `))
      .map((line) => /id=(\d+)/.exec(line)![1]!);
    expect(ids).toHaveLength(1);
    await admin.client('KILL', 'ID', ids[0]!);
    await live.promise;
    expect(states).toEqual([true, false, true]);
    await sibling.publish('revoked', 'after');
    await eventually(
      'a message after the reconnect',
      async () => (heard.includes('after') ? true : undefined),
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    await stop();
    admin.disconnect();
    await Promise.all([sibling.close(), stranger.close()]);
  });
});
