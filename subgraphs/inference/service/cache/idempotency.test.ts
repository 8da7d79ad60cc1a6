import type { Kv } from '../../../../lib/kv/index.js';
import { createTestKv, type TestKv } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { createIdempotencyStore, fingerprintOf, type IdempotencyStore } from './idempotency.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fingerprintOf', () => {
  it('is stable for the same request and differs for another', () => {
    const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 };
    expect(fingerprintOf(request)).toBe(fingerprintOf(structuredClone(request)));
    expect(fingerprintOf({ ...request, maxTokens: 11 })).not.toBe(fingerprintOf(request));
    expect(fingerprintOf(request)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(STORE_MODES)('idempotency store (%s store)', (mode) => {
  let store: TestKv;
  let kv: Kv;
  let idem: IdempotencyStore;

  beforeAll(async () => {
    store = await createTestKv(mode);
    kv = store.kv;
    idem = createIdempotencyStore(kv, { ttlSeconds: 3_600 });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('claims a new key, then answers a retry with the stored result', async () => {
    await expect(idem.claim('team-1', 'done-key', 'fp', 60_000)).resolves.toEqual({ kind: 'NEW' });
    const result = { text: 'answer', cost: '12', usage: { inputTokens: 3, outputTokens: 4 } };
    await idem.complete('team-1', 'done-key', 'fp', result);
    await expect(idem.claim('team-1', 'done-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'DONE',
      result,
    });
  });

  it('reports IN_PROGRESS while the first request runs', async () => {
    await expect(idem.claim('team-1', 'pending-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'NEW',
    });
    await expect(idem.claim('team-1', 'pending-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'IN_PROGRESS',
    });
  });

  it('grants exactly one of many concurrent claims', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => idem.claim('team-1', 'race-key', 'fp', 60_000)),
    );
    expect(claims.filter((c) => c.kind === 'NEW')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'IN_PROGRESS')).toHaveLength(7);
  });

  it('reports MISMATCH for a different request under the same key, pending or done', async () => {
    await idem.claim('team-1', 'reused-key', 'fp-first', 60_000);
    await expect(idem.claim('team-1', 'reused-key', 'fp-other', 60_000)).resolves.toEqual({
      kind: 'MISMATCH',
    });
    await idem.complete('team-1', 'reused-key', 'fp-first', { ok: true });
    await expect(idem.claim('team-1', 'reused-key', 'fp-other', 60_000)).resolves.toEqual({
      kind: 'MISMATCH',
    });
  });

  it('lets a retry claim the key anew after a release', async () => {
    await idem.claim('team-1', 'released-key', 'fp', 60_000);
    await idem.release('team-1', 'released-key');
    await expect(idem.claim('team-1', 'released-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'NEW',
    });
    await expect(idem.claim('team-1', 'released-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'IN_PROGRESS',
    });
  });

  it('keeps keys per team', async () => {
    await expect(idem.claim('team-1', 'shared-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'NEW',
    });
    await expect(idem.claim('team-2', 'shared-key', 'fp-2', 60_000)).resolves.toEqual({
      kind: 'NEW',
    });
    await idem.complete('team-1', 'shared-key', 'fp', 'for team 1');
    await expect(idem.claim('team-2', 'shared-key', 'fp-2', 60_000)).resolves.toEqual({
      kind: 'IN_PROGRESS',
    });
    await idem.release('team-2', 'shared-key');
    await expect(idem.claim('team-1', 'shared-key', 'fp', 60_000)).resolves.toEqual({
      kind: 'DONE',
      result: 'for team 1',
    });
  });

  it('frees an abandoned claim after its pendingTtlMs', async () => {
    await expect(idem.claim('team-1', 'abandoned-key', 'fp', 50)).resolves.toEqual({
      kind: 'NEW',
    });
    await sleep(100);
    await expect(idem.claim('team-1', 'abandoned-key', 'fp', 50)).resolves.toEqual({
      kind: 'NEW',
    });
  });
});
