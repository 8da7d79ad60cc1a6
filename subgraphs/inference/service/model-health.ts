import type { Kv } from '../../../lib/kv/index.js';

/** Latency histogram bucket upper bounds, in milliseconds; the last catches everything slower. */
export const LATENCY_BUCKETS_MS = [
  25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000,
];
const MINUTE_MS = 60_000;
/** How many whole minutes (the current one included) a health figure covers. */
export const WINDOW_MINUTES = 5;
const KEY_TTL_MS = (WINDOW_MINUTES + 1) * MINUTE_MS;

export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'DEGRADED' | 'DOWN';

export type CircuitStateName = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface HealthSnapshot {
  status: HealthStatus;
  /** OPEN while some replica's breaker skips the model; CLOSED otherwise. */
  circuitState: CircuitStateName;
  sampleCount: number;
  errorRate: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  windowSeconds: number;
}

/*
 * Per model and minute, counters in the shared store: calls, errors, and one per latency bucket.
 * Every replica adds to the same counters (INCRBY is atomic), so the figures are the fleet's, not
 * one process's. The model's id is the hash tag, keeping one model's keys on one cluster slot.
 */
const key = (modelId: string, minute: number, field: string) =>
  `health:{${modelId}}:${minute}:${field}`;
const bucketOf = (latencyMs: number) => {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length - 1 : index;
};

const circuitKey = (modelId: string) => `health:{${modelId}}:circuit`;
/** How long a replica reuses a model's median latency for LOWEST_LATENCY routing. */
const LATENCY_REUSE_MS = 5_000;
/**
 * How long a replica gathers its calls' counts before adding them to the shared counters: one
 * round trip per model per period instead of one per call. Other replicas see a count this much
 * later; this replica's own reads wait for what it gathered.
 */
export const HEALTH_FLUSH_MS = 200;

// Long only as a factory: it wires or returns short methods, each read on its own.
export function createModelHealth(kv: Kv, now: () => number = Date.now) {
  const latencies = new Map<string, { p50: number | null; at: number; refreshing: boolean }>();
  /** Counts gathered since the last flush: per model (one hash tag, one script), per key. */
  let gathered = new Map<string, Map<string, number>>();
  let timer: NodeJS.Timeout | undefined;
  let written: Promise<void> = Promise.resolve();

  /** Adds what was gathered to the shared counters; resolves once every flush so far is done. */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = gathered;
    gathered = new Map();
    const writes = [...batch.values()].map((counts) =>
      kv.incrByAll([...counts], { ttlMs: KEY_TTL_MS }).then(() => undefined),
    );
    written = Promise.all([written.catch(() => undefined), ...writes]).then(() => undefined);
    return written;
  }

  function gather(modelId: string, latencyMs: number, ok: boolean) {
    const minute = Math.floor(now() / MINUTE_MS);
    const counts = gathered.get(modelId) ?? new Map<string, number>();
    gathered.set(modelId, counts);
    for (const counter of ['calls', `lat${bucketOf(latencyMs)}`, ...(ok ? [] : ['errors'])]) {
      const k = key(modelId, minute, counter);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }

  return {
    /** Counts one call to a model now, with what was gathered (one round trip per model). */
    async record(modelId: string, latencyMs: number, ok: boolean): Promise<void> {
      gather(modelId, latencyMs, ok);
      await flush();
    },

    /**
     * Counts one routing attempt off the request's path: gathered, and added to the shared
     * counters within HEALTH_FLUSH_MS (a count lost in a crash is harmless).
     */
    recordAttempt(attempt: { modelId: string; latencyMs: number; outcome: string }): void {
      gather(attempt.modelId, attempt.latencyMs, attempt.outcome === 'SUCCEEDED');
      if (timer) return;
      timer = setTimeout(() => void flush().catch(() => undefined), HEALTH_FLUSH_MS);
      timer.unref();
    },

    /** Adds what is gathered now (a stopping replica's last counts). */
    flush: () => flush().catch(() => undefined),

    /**
     * The model's recent median latency for routing, without waiting: the figure last read
     * (refreshed in the background when older than a few seconds), null until one was read.
     */
    cachedLatency(modelId: string): number | null {
      const entry = latencies.get(modelId) ?? { p50: null, at: 0, refreshing: false };
      latencies.set(modelId, entry);
      if (!entry.refreshing && now() - entry.at > LATENCY_REUSE_MS) {
        entry.refreshing = true;
        this.snapshot(modelId)
          .then((s) => Object.assign(entry, { p50: s.p50LatencyMs, at: now() }))
          .catch(() => undefined)
          .finally(() => (entry.refreshing = false));
      }
      return entry.p50;
    },

    /** Shares a breaker's state with every replica: OPEN for `ttlMs`, or cleared when CLOSED. */
    async publishCircuit(modelId: string, state: CircuitStateName, ttlMs: number): Promise<void> {
      if (state === 'CLOSED') await kv.del(circuitKey(modelId));
      else await kv.set(circuitKey(modelId), state, { ttlMs });
    },

    /** The model's figures over the window, read in one round trip after this replica's flush. */
    async snapshot(modelId: string): Promise<HealthSnapshot> {
      // This replica's own counts first, so a read after a call sees it.
      await flush().catch(() => undefined);
      const current = Math.floor(now() / MINUTE_MS);
      const minutes = Array.from({ length: WINDOW_MINUTES }, (_, i) => current - i);
      const fields = ['calls', 'errors', ...LATENCY_BUCKETS_MS.map((_, i) => `lat${i}`)];
      const values = await kv.mget([
        ...minutes.flatMap((m) => fields.map((f) => key(modelId, m, f))),
        circuitKey(modelId),
      ]);
      const circuit = (values.at(-1) as CircuitStateName | null) ?? 'CLOSED';
      const totals = fields.map((_, f) =>
        minutes.reduce((sum, _m, i) => sum + Number(values[i * fields.length + f] ?? 0), 0),
      );
      return {
        ...summarize(totals[0] ?? 0, totals[1] ?? 0, totals.slice(2)),
        circuitState: circuit,
      };
    },
  };
}

export type ModelHealth = ReturnType<typeof createModelHealth>;

/** Turns window totals into a snapshot: percentiles from the histogram, status from the error rate. */
export function summarize(
  calls: number,
  errors: number,
  buckets: number[],
): Omit<HealthSnapshot, 'circuitState'> {
  const windowSeconds = WINDOW_MINUTES * 60;
  if (calls === 0) {
    return {
      status: 'UNKNOWN',
      sampleCount: 0,
      errorRate: null,
      p50LatencyMs: null,
      p95LatencyMs: null,
      windowSeconds,
    };
  }
  const percentile = (p: number) => {
    const rank = Math.ceil(p * calls);
    let seen = 0;
    for (const [i, count] of buckets.entries()) {
      seen += count;
      if (seen >= rank) return LATENCY_BUCKETS_MS[i] ?? null;
    }
    return LATENCY_BUCKETS_MS.at(-1) ?? null;
  };
  const errorRate = errors / calls;
  const status: HealthStatus =
    errorRate >= 0.5 ? 'DOWN' : errorRate >= 0.1 ? 'DEGRADED' : 'HEALTHY';
  return {
    status,
    sampleCount: calls,
    errorRate,
    p50LatencyMs: percentile(0.5),
    p95LatencyMs: percentile(0.95),
    windowSeconds,
  };
}
