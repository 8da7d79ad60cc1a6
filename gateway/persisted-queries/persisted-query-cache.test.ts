import { createHash } from 'node:crypto';
import { Registry, type Counter } from 'prom-client';
import { createMemoryKv } from '../../lib/kv/memory.js';
import type { Kv } from '../../lib/kv/index.js';
import { createCacheLookups } from '../../lib/metrics.js';
import { silentLogger } from '../../test/support/identities.js';
import { createRecordingLogger } from '../../test/support/recording-logger.js';
import { createTestKv, type TestKv } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import {
  DEFAULT_PERSISTED_QUERIES,
  createPersistedQueryCache,
  persistedQueriesOption,
  type PersistedQuerySettings,
} from './persisted-query-cache.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/**
 * The key Apollo Server hands its cache for a document (`apq:` and the document's SHA-256), which
 * is also the document's key in the Kv.
 */
const keyOf = (query: string) => `apq:${sha256(query)}`;

/** A cache over `kv` with its own registry, and the value of one of its counters' series. */
function cacheOver(kv: Kv, settings: Partial<PersistedQuerySettings> = {}, now?: () => number) {
  const registry = new Registry();
  const recording = createRecordingLogger('warn');
  const cache = createPersistedQueryCache({
    kv,
    settings: { ...DEFAULT_PERSISTED_QUERIES, ...settings },
    logger: recording.logger,
    registry,
    lookups: createCacheLookups(registry),
    now,
  });
  const count = async (name: string, labels: Record<string, string>) => {
    const metric = registry.getSingleMetric(name) as Counter | undefined;
    const values = (await metric?.get())?.values ?? [];
    const series = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return series?.value ?? 0;
  };
  return { cache, count, logLines: recording.lines };
}

describe.each(STORE_MODES)('persisted-query cache (%s store)', (mode) => {
  let store: TestKv;

  beforeAll(async () => {
    store = await createTestKv(mode);
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('stores a document under apq:<hash> with the TTL and gives it back by hash', async () => {
    const { cache, count } = cacheOver(store.kv, { ttlSeconds: 60 });
    const query = `{ __typename ${mode} }`;
    const key = keyOf(query);
    await expect(cache.get(key)).resolves.toBeUndefined();
    await cache.set(key, query);
    await expect(store.kv.get(key)).resolves.toBe(query);
    const ttl = await store.kv.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await expect(cache.get(key)).resolves.toBe(query);
    expect(await count('modelgraph_cache_lookups_total', { cache: 'apq', result: 'hit' })).toBe(1);
    expect(await count('modelgraph_cache_lookups_total', { cache: 'apq', result: 'miss' })).toBe(1);
    expect(await count('modelgraph_apq_registrations_total', { result: 'stored' })).toBe(1);
  });

  it('does not store a document over the size limit, and counts it', async () => {
    const { cache, count } = cacheOver(store.kv, { maxDocumentBytes: 100 });
    // 101 bytes in UTF-8 though 51 characters: the limit is in bytes.
    const query = `{ __typename } # ${'é'.repeat(42)}`;
    expect(query.length).toBeLessThan(100);
    expect(Buffer.byteLength(query)).toBe(101);
    await cache.set(keyOf(query), query);
    await expect(store.kv.get(keyOf(query))).resolves.toBeNull();
    expect(await count('modelgraph_apq_registrations_total', { result: 'too_large' })).toBe(1);
    expect(await count('modelgraph_apq_registrations_total', { result: 'stored' })).toBe(0);
    const fits = query.slice(0, -1);
    await cache.set(keyOf(fits), fits);
    await expect(cache.get(keyOf(fits))).resolves.toBe(fits);
  });

  it('never looks up a hash that is not a lower-case SHA-256, and counts it a miss', async () => {
    const asked: string[] = [];
    const watched: Kv = { ...store.kv, get: (key) => (asked.push(key), store.kv.get(key)) };
    const { cache, count } = cacheOver(watched);
    const keys = [
      `apq:${'x'.repeat(10_000)}`,
      `apq:${'A'.repeat(64)}`,
      'apq:*',
      `apq:${'a'.repeat(64)}\n`,
      'a'.repeat(64), // without Apollo's prefix
    ];
    for (const key of keys) await expect(cache.get(key)).resolves.toBeUndefined();
    expect(asked).toEqual([]);
    expect(await count('modelgraph_cache_lookups_total', { cache: 'apq', result: 'miss' })).toBe(5);
  });
});

describe('persisted-query cache over a failing store', () => {
  const broken: Kv = {
    ...createMemoryKv(),
    get: () => Promise.reject(new Error('Connection is closed.')),
    set: () => Promise.reject(new Error('Connection is closed.')),
  };

  it('answers a failed lookup as a miss and skips a failed registration, logging and counting both', async () => {
    const { cache, count, logLines } = cacheOver(broken);
    const query = '{ __typename }';
    await expect(cache.set(keyOf(query), query)).resolves.toBeUndefined();
    await expect(cache.get(keyOf(query))).resolves.toBeUndefined();
    expect(await count('modelgraph_apq_store_errors_total', { operation: 'register' })).toBe(1);
    expect(await count('modelgraph_apq_store_errors_total', { operation: 'lookup' })).toBe(1);
    expect(await count('modelgraph_cache_lookups_total', { cache: 'apq', result: 'miss' })).toBe(1);
    expect(logLines.map((line) => line.msg)).toEqual([
      'persisted-query store unavailable; query not stored',
      'persisted-query store unavailable; answering not found',
    ]);
  });
});

describe('persisted-query cache in the embedded store', () => {
  let clock = 1_000_000;
  const now = () => clock;
  const kv = createMemoryKv({ now });
  afterAll(() => kv.close());
  // Each document is 100 bytes and its key 68: 168 counted, so 400 bytes hold two.
  const doc = (name: string) => `{ ${name}: __typename }`.padEnd(100, ' ');
  const stored = async (...names: string[]) => {
    const found = await Promise.all(names.map((n) => kv.get(keyOf(doc(n)))));
    return names.filter((_, i) => found[i] !== null);
  };

  it('keeps its documents under the byte budget, the oldest registration going first', async () => {
    const { cache } = cacheOver(kv, { embeddedMaxBytes: 400, ttlSeconds: 60 }, now);
    for (const name of ['a', 'b', 'c']) await cache.set(keyOf(doc(name)), doc(name));
    expect(await stored('a', 'b', 'c')).toEqual(['b', 'c']);
    // Registering b again makes it the newest, so c is the oldest when d arrives.
    clock += 1;
    await cache.set(keyOf(doc('b')), doc('b'));
    await cache.set(keyOf(doc('d')), doc('d'));
    expect(await stored('b', 'c', 'd')).toEqual(['b', 'd']);
  });

  it('does not count expired documents against the budget', async () => {
    const { cache } = cacheOver(kv, { embeddedMaxBytes: 400, ttlSeconds: 60 }, now);
    await cache.set(keyOf(doc('e')), doc('e'));
    await cache.set(keyOf(doc('f')), doc('f'));
    clock += 60_000;
    await cache.set(keyOf(doc('g')), doc('g'));
    await cache.set(keyOf(doc('h')), doc('h'));
    expect(await stored('e', 'f', 'g', 'h')).toEqual(['g', 'h']);
  });

  it('does not extend a document its TTL when it is hit', async () => {
    const { cache } = cacheOver(kv, { ttlSeconds: 60 }, now);
    const query = doc('ttl');
    await cache.set(keyOf(query), query);
    clock += 59_999;
    await expect(cache.get(keyOf(query))).resolves.toBe(query);
    clock += 1;
    await expect(cache.get(keyOf(query))).resolves.toBeUndefined();
  });
});

describe("Apollo Server's persistedQueries option", () => {
  it('is false when APQ is turned off, so a hash gets PERSISTED_QUERY_NOT_SUPPORTED', () => {
    const deps = {
      kv: createMemoryKv(),
      logger: silentLogger,
      registry: new Registry(),
      lookups: () => undefined,
    };
    expect(
      persistedQueriesOption({
        ...deps,
        settings: { ...DEFAULT_PERSISTED_QUERIES, enabled: false },
      }),
    ).toBe(false);
    expect(persistedQueriesOption({ ...deps, settings: DEFAULT_PERSISTED_QUERIES })).toEqual({
      cache: expect.objectContaining({ get: expect.any(Function), set: expect.any(Function) }),
    });
  });
});
