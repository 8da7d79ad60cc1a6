import fc from 'fast-check';
import type { Kv } from '../../../../lib/kv/index.js';
import { createTestKv, type TestKv } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import {
  createResponseCache,
  decodeVector,
  encodeVector,
  type CachedGeneration,
  type GenerationKey,
} from './response-cache.js';

describe('vector encoding', () => {
  it('round-trips at float32 precision', () => {
    const vector = [0.1, -2.5, 1 / 3, 1e-8, 3.4e38, -0, 0, 1e-45];
    const decoded = decodeVector(encodeVector(vector));
    expect(decoded).toEqual(vector.map(Math.fround));
    expect(decoded[0]).not.toBe(0.1);
    expect(decoded[1]).toBe(-2.5);
  });

  it('takes four bytes per dimension', () => {
    expect(Buffer.from(encodeVector([1, 2, 3]), 'base64')).toHaveLength(12);
    expect(decodeVector(encodeVector([]))).toEqual([]);
  });

  it('round-trips any float32 vector exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 64 }), (vector) => {
        expect(decodeVector(encodeVector(vector))).toEqual(vector);
      }),
    );
  });

  it('decodes from a Buffer whose byteOffset is not 4-aligned', () => {
    const encoded = encodeVector([1.5, -0.25, 42]);
    const original = Buffer.from;
    let unaligned = 0;
    // Hands decodeVector its bytes at byteOffset 1, as a pooled Buffer may be.
    Buffer.from = ((...args: unknown[]) => {
      const bytes = (original as (...a: unknown[]) => Buffer).apply(Buffer, args);
      const padded = Buffer.alloc(bytes.length + 1);
      bytes.copy(padded, 1);
      const view = padded.subarray(1);
      unaligned += 1;
      expect(() => new Float32Array(view.buffer, view.byteOffset, 3)).toThrow(RangeError);
      return view;
    }) as typeof Buffer.from;
    try {
      expect(decodeVector(encoded)).toEqual([1.5, -0.25, 42]);
    } finally {
      Buffer.from = original;
    }
    expect(unaligned).toBe(1);
  });
});

describe.each(STORE_MODES)('response cache (%s store)', (mode) => {
  let store: TestKv;
  let kv: Kv;

  beforeAll(async () => {
    store = await createTestKv(mode);
    kv = store.kv;
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  const on = () => createResponseCache(kv, { generationSeconds: 3_600, embeddingSeconds: 600 });
  const off = () => createResponseCache(kv, { generationSeconds: 0, embeddingSeconds: 0 });

  describe('embeddings', () => {
    it('returns cached vectors in text order, null for misses', async () => {
      const cache = on();
      await cache.putEmbeddings('team-1', 'model-order', [
        ['beta', [0.5, -1.25]],
        ['delta', [3, 0]],
      ]);
      await expect(
        cache.getEmbeddings('team-1', 'model-order', ['alpha', 'beta', 'gamma', 'delta', 'beta']),
      ).resolves.toEqual([null, [0.5, -1.25], null, [3, 0], [0.5, -1.25]]);
    });

    it('keeps vectors per model, at float32 precision', async () => {
      const cache = on();
      await cache.putEmbeddings('team-1', 'model-a', [['text', [0.1, 0.2]]]);
      await expect(cache.getEmbeddings('team-1', 'model-b', ['text'])).resolves.toEqual([null]);
      await expect(cache.getEmbeddings('team-1', 'model-a', ['text'])).resolves.toEqual([
        [Math.fround(0.1), Math.fround(0.2)],
      ]);
    });

    it('keeps vectors per team: one team never sees what another embedded', async () => {
      const cache = on();
      await cache.putEmbeddings('team-1', 'model-t', [['secret plan', [1, 2]]]);
      await expect(cache.getEmbeddings('team-2', 'model-t', ['secret plan'])).resolves.toEqual([
        null,
      ]);
      await expect(cache.getEmbeddings('team-1', 'model-t', ['secret plan'])).resolves.toEqual([
        [1, 2],
      ]);
    });

    it('answers an empty list with an empty list', async () => {
      await expect(on().getEmbeddings('team-1', 'model-a', [])).resolves.toEqual([]);
    });

    it('is off with a TTL of 0: nothing stored, nothing found', async () => {
      await off().putEmbeddings('team-1', 'model-off', [['stored?', [1, 2]]]);
      await expect(on().getEmbeddings('team-1', 'model-off', ['stored?'])).resolves.toEqual([null]);
      await on().putEmbeddings('team-1', 'model-off', [['stored', [1, 2]]]);
      await expect(off().getEmbeddings('team-1', 'model-off', ['stored', 'x'])).resolves.toEqual([
        null,
        null,
      ]);
    });
  });

  describe('generations', () => {
    const key: GenerationKey = {
      teamId: 'team-1',
      route: 'chat-default',
      versions: ['local/echo-chat@1'],
      messages: [{ role: 'user', content: 'hello' }],
      maxTokens: 64,
      temperature: 0,
    };
    const generation: CachedGeneration = {
      modelId: 'local/echo-chat',
      priceVersion: 1,
      text: 'hello back',
      finishReason: 'STOP',
      usage: { inputTokens: 3, outputTokens: 2 },
    };

    it('stores and returns a generation under its key, with the TTL', async () => {
      const cache = on();
      const cacheKey = cache.generationKey(key);
      await expect(cache.getGeneration(cacheKey)).resolves.toBeNull();
      await cache.putGeneration(cacheKey, generation);
      await expect(cache.getGeneration(cacheKey)).resolves.toEqual(generation);
      const ttl = await kv.pttl(cacheKey);
      expect(ttl).toBeGreaterThan(3_590_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    });

    it('keys by everything that makes a request the same', () => {
      const cache = on();
      const base = cache.generationKey(key);
      expect(cache.generationKey({ ...key, messages: [{ role: 'user', content: 'hello' }] })).toBe(
        base,
      );
      for (const changed of [
        { ...key, versions: ['local/echo-chat@2'] },
        { ...key, messages: [{ role: 'system' as const, content: 'hello' }] },
        { ...key, maxTokens: 65 },
        { ...key, temperature: 0.5 },
        { ...key, route: 'other' },
        { ...key, teamId: 'team-2' },
      ]) {
        expect(cache.generationKey(changed)).not.toBe(base);
      }
      // The team is the hash tag; a stray brace cannot end it early.
      expect(cache.generationKey({ ...key, teamId: 'a}b' })).toMatch(/^gen:\{a%7Db\}:/);
    });

    it('is off with a TTL of 0', async () => {
      const cacheKey = on().generationKey({ ...key, route: 'off' });
      await off().putGeneration(cacheKey, generation);
      await expect(on().getGeneration(cacheKey)).resolves.toBeNull();
      await on().putGeneration(cacheKey, generation);
      await expect(off().getGeneration(cacheKey)).resolves.toBeNull();
    });
  });
});
