import { CATALOG_INTERNAL_PATHS, type ResolvedRoute } from '../../../lib/catalog/resolved-route.js';
import type { ServiceClient } from '../../../lib/service-client.js';
import { createTtlCache } from '../../../lib/ttl-cache.js';

/**
 * Asks the model catalog what a `model` argument names, reusing each answer for `cacheMs` (and
 * sharing one in-flight lookup between concurrent callers). A catalog change is seen within that
 * time; the price version a call used is recorded with its hold, so a price change mid-call is safe.
 */
export function createCatalogClient(options: {
  client: ServiceClient;
  /** The catalog's GraphQL URL; internal routes live on the same origin. */
  catalogUrl: string;
  cacheMs: number;
  now?: () => number;
}) {
  const url = new URL(CATALOG_INTERNAL_PATHS.resolveRoute, options.catalogUrl).toString();
  const cache = createTtlCache<Promise<ResolvedRoute | null>>({
    ttlMs: options.cacheMs,
    now: options.now,
  });

  return {
    resolve(name: string, requestId: string): Promise<ResolvedRoute | null> {
      const hit = cache.get(name);
      if (hit) return hit;
      const route = options.client
        .post<{ route: ResolvedRoute | null }>(url, { name }, requestId)
        .then((answer) => answer.route);
      cache.set(name, route);
      route.catch(() => cache.delete(name));
      return route;
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
