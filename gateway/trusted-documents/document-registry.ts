import { LRUCache } from 'lru-cache';
import type { Kv } from '../../lib/kv/index.js';
import type { Logger } from '../../lib/logging.js';
import type { CacheLookups } from '../../lib/metrics.js';
import type { DocumentLookup, PolicyClient } from '../auth/policy-client.js';

/** How long the shared cache keeps a document registered for a client (its body never changes). */
export const REGISTERED_KV_TTL_MS = 24 * 60 * 60 * 1000;

export interface DocumentRegistryOptions {
  policy: PolicyClient;
  kv: Kv;
  logger: Logger;
  /** Counts the two cache levels' hits and misses (`trusted_document`, `trusted_document_kv`). */
  lookups?: CacheLookups;
  /** Largest total of bodies the in-process cache holds, in bytes. */
  cacheBytes: number;
  /** How long an id not registered for a client is remembered as such, in ms. */
  negativeTtlMs: number;
}

const kvKey = (id: string, clientName: string) =>
  `trusted-doc:${id}:${encodeURIComponent(clientName)}`;

/**
 * The registry of trusted documents as the gateway sees it: policy's answer for (id, client
 * name), cached in process (LRU) and in the gateway's Kv, shared by every replica. A document
 * registered for a client stays so (publishing only adds), so that answer is kept long; any other
 * answer only for `negativeTtlMs`, so a publish is seen that soon. Concurrent lookups of one key
 * share one call.
 */
export function createDocumentRegistry(options: DocumentRegistryOptions) {
  const { policy, kv, logger, lookups } = options;
  const local = new LRUCache<string, DocumentLookup>({
    maxSize: options.cacheBytes,
    sizeCalculation: (entry) => (entry.body?.length ?? 0) + 100,
  });
  const inFlight = new Map<string, Promise<DocumentLookup>>();

  const fromKv = async (key: string): Promise<DocumentLookup | undefined> => {
    try {
      const cached = await kv.get(key);
      lookups?.('trusted_document_kv', cached ? 1 : 0, cached ? 0 : 1);
      return cached ? (JSON.parse(cached) as DocumentLookup) : undefined;
    } catch (error) {
      logger.warn({ err: error }, 'trusted document cache unavailable; asking policy');
      return undefined;
    }
  };

  const remember = (key: string, lookup: DocumentLookup, fromShared: boolean) => {
    const ttl = lookup.registeredForClient ? REGISTERED_KV_TTL_MS : options.negativeTtlMs;
    if (ttl <= 0) return;
    local.set(key, lookup, lookup.registeredForClient ? {} : { ttl });
    if (fromShared) return;
    kv.set(key, JSON.stringify(lookup), { ttlMs: ttl }).catch((error: unknown) => {
      logger.warn({ err: error }, 'trusted document cache unavailable; not shared');
    });
  };

  const resolve = async (id: string, clientName: string, requestId: string) => {
    const key = kvKey(id, clientName);
    const shared = await fromKv(key);
    if (shared) {
      remember(key, shared, true);
      return shared;
    }
    const answer = await policy.trustedDocument(id, clientName, requestId);
    remember(key, answer, false);
    return answer;
  };

  return {
    /**
     * The body of document `id` (null when nobody registered it) and whether `clientName`
     * registered it. Rejects when policy cannot be asked.
     */
    lookup(id: string, clientName: string, requestId: string): Promise<DocumentLookup> {
      const key = kvKey(id, clientName);
      const cached = local.get(key);
      lookups?.('trusted_document', cached ? 1 : 0, cached ? 0 : 1);
      if (cached) return Promise.resolve(cached);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = resolve(id, clientName, requestId).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}

export type DocumentRegistry = ReturnType<typeof createDocumentRegistry>;
