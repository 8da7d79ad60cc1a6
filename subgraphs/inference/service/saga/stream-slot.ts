import { randomUUID } from 'node:crypto';
import { codedError } from '../../../../lib/errors.js';
import type { StreamLeases } from '../../../../lib/rate-limit/stream-leases.js';
import { unavailable } from '../../../../lib/service-client.js';
import type { RateLimitMetrics } from './rate-limit-metrics.js';
import type { SagaContext } from './saga-types.js';

/** Where stream leases live, and how long one lasts between refreshes. */
export interface StreamSlots {
  leases: StreamLeases;
  /** A lease lapses this long after its last refresh (a replica that died). @default 30_000 */
  leaseTtlMs: number;
  /**
   * When the lease store cannot be reached, let the stream through uncounted (RATE_LIMIT_FAIL_OPEN,
   * decision 74) instead of refusing it. @default false
   */
  failOpen?: boolean;
  /** Counts streams whose limit could not be checked. @default none */
  metrics?: RateLimitMetrics;
}

/** One of a team's concurrent streams, held until `release` (which never throws). */
export interface StreamSlot {
  release(): Promise<void>;
}

const NO_SLOT: StreamSlot = { release: async () => undefined };

/**
 * Step "stream slot": one of the team's `maxConcurrentStreams` (no limit when null), refreshed
 * while the stream lives. Refuses with RATE_LIMITED (`quotaField: "maxConcurrentStreams"`), or
 * SERVICE_UNAVAILABLE when the lease store cannot be reached (unless `failOpen`: then the stream
 * holds no slot, and counts against no other stream).
 */
export async function takeStreamSlot(
  slots: StreamSlots,
  ctx: SagaContext,
  limit: number | null,
): Promise<StreamSlot> {
  if (limit === null) return NO_SLOT;
  const { leases, leaseTtlMs, failOpen, metrics } = slots;
  const leaseId = randomUUID();
  let taken: boolean;
  try {
    taken = await leases.acquire(ctx.teamId, leaseId, limit, leaseTtlMs);
  } catch (error) {
    if (failOpen) {
      ctx.logger.warn({ err: error }, 'stream leases unavailable; stream allowed (fail open)');
      metrics?.unavailable.inc({ limit: 'streams', outcome: 'allowed' });
      return NO_SLOT;
    }
    ctx.logger.error({ err: error }, 'stream leases unavailable; refusing the stream');
    metrics?.unavailable.inc({ limit: 'streams', outcome: 'refused' });
    throw unavailable('The stream limit store');
  }
  if (!taken) {
    throw codedError(
      'RATE_LIMITED',
      `The maxConcurrentStreams limit (${limit}) is reached: wait for a stream to end.`,
      { limit: 'maxConcurrentStreams', quotaField: 'maxConcurrentStreams', retryAfterSeconds: 1 },
    );
  }
  const refresh = setInterval(() => {
    leases.refresh(ctx.teamId, leaseId, leaseTtlMs).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'stream lease not refreshed');
    });
  }, leaseTtlMs / 3);
  refresh.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      await leases.release(ctx.teamId, leaseId).catch((error: unknown) => {
        ctx.logger.warn({ err: error }, 'stream lease not released; it lapses after its TTL');
      });
    },
  };
}
