import type { Kv } from '../../../lib/kv/index.js';
import { eventually } from '../../../test/support/eventually.js';
import { createTestKv, type TestKv } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { HEALTH_FLUSH_MS, createModelHealth } from './model-health.js';

/** The store, counting the round trips that add to counters. */
function counted(kv: Kv) {
  const writes: number[] = [];
  const wrapped: Kv = Object.assign(Object.create(kv) as Kv, {
    incrByAll: (
      increments: ReadonlyArray<readonly [string, number]>,
      options?: { ttlMs?: number },
    ) => {
      writes.push(increments.length);
      return kv.incrByAll(increments, options);
    },
  });
  return { kv: wrapped, writes };
}

const attempt = (modelId: string, latencyMs: number, outcome = 'SUCCEEDED') => ({
  modelId,
  latencyMs,
  outcome,
});

describe.each(STORE_MODES)('model health counts (%s store)', (mode) => {
  let store: TestKv;

  beforeAll(async () => {
    store = await createTestKv(mode);
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("gathers a replica's attempts and adds them in one round trip per model", async () => {
    const { kv, writes } = counted(store.kv);
    const health = createModelHealth(kv);
    for (let i = 0; i < 20; i += 1) health.recordAttempt(attempt('m/gathered', 40));
    health.recordAttempt(attempt('m/gathered', 700, 'FAILED'));
    health.recordAttempt(attempt('m/other', 40));
    expect(writes).toEqual([]);
    // Another replica (a second instance on the same store) sees them once they are flushed.
    const elsewhere = createModelHealth(store.kv);
    const seen = await eventually(
      'the gathered counts reach the shared counters',
      async () => {
        const snapshot = await elsewhere.snapshot('m/gathered');
        return snapshot.sampleCount > 0 ? snapshot : undefined;
      },
      { timeoutMs: 10 * HEALTH_FLUSH_MS + 5_000, intervalMs: 20 },
    );
    // calls, two latency buckets and errors for one model; calls and a bucket for the other.
    expect(writes.sort()).toEqual([2, 4]);
    expect(seen).toMatchObject({ sampleCount: 21, errorRate: 1 / 21, p50LatencyMs: 50 });
    await expect(elsewhere.snapshot('m/other')).resolves.toMatchObject({ sampleCount: 1 });
  });

  it('shows a replica its own attempts at once, and flushes what is left when asked', async () => {
    const { kv, writes } = counted(store.kv);
    const health = createModelHealth(kv);
    health.recordAttempt(attempt('m/own', 40, 'FAILED'));
    await expect(health.snapshot('m/own')).resolves.toMatchObject({
      sampleCount: 1,
      status: 'DOWN',
    });
    health.recordAttempt(attempt('m/own', 40));
    await health.flush();
    expect(writes).toEqual([3, 2]);
    await expect(createModelHealth(store.kv).snapshot('m/own')).resolves.toMatchObject({
      sampleCount: 2,
    });
  });
});
