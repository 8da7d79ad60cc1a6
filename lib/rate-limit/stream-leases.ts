import { createRedisStreamLeases } from './redis-stream-leases.js';

/**
 * Leases on a team's concurrent streams, shared by every replica: a stream holds one while it
 * lives and refreshes it; a replica that dies leaves leases that lapse after their TTL.
 */
export interface StreamLeases {
  readonly kind: 'redis' | 'memory';
  /**
   * Takes lease `leaseId` for `ttlMs` if the team holds fewer than `limit` live leases; false
   * when it holds `limit` already. Throws when the store cannot be reached.
   */
  acquire(teamId: string, leaseId: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Extends a held lease to `ttlMs` from now (no-op for one already released). */
  refresh(teamId: string, leaseId: string, ttlMs: number): Promise<void>;
  release(teamId: string, leaseId: string): Promise<void>;
  /** The team's live leases. */
  count(teamId: string): Promise<number>;
  close(): Promise<void>;
}

/** In this process only (embedded mode), with the same contract as Redis's. */
export function createMemoryStreamLeases(now: () => number = Date.now): StreamLeases {
  const teams = new Map<string, Map<string, number>>();
  const live = (teamId: string) => {
    const leases = teams.get(teamId) ?? new Map<string, number>();
    teams.set(teamId, leases);
    for (const [id, expiresAt] of leases) if (expiresAt <= now()) leases.delete(id);
    return leases;
  };
  return {
    kind: 'memory',
    async acquire(teamId, leaseId, limit, ttlMs) {
      const leases = live(teamId);
      if (!leases.has(leaseId) && leases.size >= limit) return false;
      leases.set(leaseId, now() + ttlMs);
      return true;
    },
    async refresh(teamId, leaseId, ttlMs) {
      const leases = live(teamId);
      if (leases.has(leaseId)) leases.set(leaseId, now() + ttlMs);
    },
    async release(teamId, leaseId) {
      const leases = live(teamId);
      leases.delete(leaseId);
      if (leases.size === 0) teams.delete(teamId);
    },
    async count(teamId) {
      return live(teamId).size;
    },
    async close() {},
  };
}

/** Redis when `redisUrl` is set, otherwise in this process. */
export async function createStreamLeases(options: {
  redisUrl?: string;
  keyPrefix?: string;
}): Promise<StreamLeases> {
  return options.redisUrl
    ? createRedisStreamLeases({ url: options.redisUrl, keyPrefix: options.keyPrefix })
    : createMemoryStreamLeases();
}
