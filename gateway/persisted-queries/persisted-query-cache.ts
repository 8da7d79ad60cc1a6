import type { PersistedQueryOptions } from '@apollo/server';
import { Counter, type Registry } from 'prom-client';
import type { Kv } from '../../lib/kv/index.js';
import type { Logger } from '../../lib/logging.js';
import type { CacheLookups } from '../../lib/metrics.js';
import { createEmbeddedBudget } from './embedded-budget.js';

/** Automatic persisted queries (APQ) at the gateway: decision 80. */
export interface PersistedQuerySettings {
  /** Accept APQ; without, a hash gets PERSISTED_QUERY_NOT_SUPPORTED. @default true */
  enabled: boolean;
  /**
   * How long a document is kept from its (last) registration; a hit does not extend it.
   * @default 86400
   */
  ttlSeconds: number;
  /** Longest document stored, in UTF-8 bytes; a longer one runs but is not stored. @default 65536 */
  maxDocumentBytes: number;
  /**
   * Total bytes of stored documents (and their keys) in the embedded store, past which the oldest
   * go; Redis is bounded by the TTL and its own `maxmemory`. @default 16 MiB
   */
  embeddedMaxBytes: number;
}

export const DEFAULT_PERSISTED_QUERIES: PersistedQuerySettings = {
  enabled: true,
  ttlSeconds: 86_400,
  maxDocumentBytes: 64 * 1024,
  embeddedMaxBytes: 16 * 1024 * 1024,
};

/** The `cache` Apollo Server looks persisted queries up in and registers them with. */
export type PersistedQueryCache = NonNullable<PersistedQueryOptions['cache']>;

/**
 * The keys Apollo Server hands its cache: `apq:` (its own prefix) and the hash, which Apollo
 * Client sends as lower-case hex SHA-256. We keep each document under that same key in the Kv
 * (under the gateway's key prefix); any other key (a hash of another shape, from any client) is
 * never looked up.
 */
const APOLLO_KEY = /^apq:[0-9a-f]{64}$/;

/**
 * Persisted queries in the gateway's Kv, so every replica shares them (Redis), or in the
 * in-process store under a byte budget (embedded). The store failing never fails a request: a
 * lookup that fails is a miss (PERSISTED_QUERY_NOT_FOUND, so the client sends the full query), a
 * registration that fails is skipped; both are logged and counted.
 */
export function createPersistedQueryCache(deps: {
  kv: Kv;
  settings: PersistedQuerySettings;
  logger: Logger;
  registry: Registry;
  /** Counts lookups (cache `apq`): hits, and misses (failed lookups included). */
  lookups: CacheLookups;
  now?: () => number;
}): PersistedQueryCache {
  const { kv, settings, logger } = deps;
  const ttlMs = settings.ttlSeconds * 1000;
  const budget =
    kv.kind === 'memory'
      ? createEmbeddedBudget({ maxBytes: settings.embeddedMaxBytes, ttlMs, now: deps.now })
      : undefined;
  const registrations = new Counter({
    name: 'modelgraph_apq_registrations_total',
    help:
      'Persisted-query registrations (a full query sent with its hash), by result: stored, or ' +
      'too_large (over APQ_MAX_DOCUMENT_BYTES: it ran, but is not stored).',
    labelNames: ['result'],
    registers: [deps.registry],
  });
  const storeErrors = new Counter({
    name: 'modelgraph_apq_store_errors_total',
    help:
      'Persisted-query store calls that failed (the request went on without it), by operation ' +
      '(lookup: answered PERSISTED_QUERY_NOT_FOUND; register: not stored).',
    labelNames: ['operation'],
    registers: [deps.registry],
  });

  const register = async (key: string, query: string) => {
    const bytes = Buffer.byteLength(query);
    if (bytes > settings.maxDocumentBytes) {
      registrations.inc({ result: 'too_large' });
      return;
    }
    await kv.set(key, query, { ttlMs });
    registrations.inc({ result: 'stored' });
    const evicted = budget?.admit(key, bytes + key.length) ?? [];
    if (evicted.length > 0) await kv.del(...evicted);
  };

  return {
    async get(key) {
      if (!APOLLO_KEY.test(key)) {
        deps.lookups('apq', 0, 1);
        return undefined;
      }
      try {
        const query = await kv.get(key);
        deps.lookups('apq', query === null ? 0 : 1, query === null ? 1 : 0);
        return query ?? undefined;
      } catch (error) {
        deps.lookups('apq', 0, 1);
        storeErrors.inc({ operation: 'lookup' });
        logger.warn({ err: error }, 'persisted-query store unavailable; answering not found');
        return undefined;
      }
    },
    // Apollo calls this only once the hash matched the query and the operation passed validation
    // and the limits; its TTL option is unused (ours is the setting's).
    async set(key, query) {
      if (!APOLLO_KEY.test(key)) return;
      try {
        await register(key, query);
      } catch (error) {
        storeErrors.inc({ operation: 'register' });
        logger.warn({ err: error }, 'persisted-query store unavailable; query not stored');
      }
    },
    // Part of Apollo's cache interface; Apollo never deletes a persisted query.
    async delete(key) {
      return (await kv.del(key)) > 0;
    },
  };
}

/** Apollo Server's `persistedQueries` option: our cache, or `false` when APQ is off. */
export function persistedQueriesOption(
  deps: Parameters<typeof createPersistedQueryCache>[0],
): PersistedQueryOptions | false {
  return deps.settings.enabled ? { cache: createPersistedQueryCache(deps) } : false;
}
