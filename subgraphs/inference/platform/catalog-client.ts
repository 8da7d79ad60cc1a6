import { CATALOG_INTERNAL_PATHS, type ResolvedRoute } from '../../../lib/catalog/resolved-route.js';
import type { ServiceClient } from '../../../lib/service-client.js';

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
  const now = options.now ?? Date.now;
  const url = new URL(CATALOG_INTERNAL_PATHS.resolveRoute, options.catalogUrl).toString();
  const cache = new Map<string, { route: Promise<ResolvedRoute | null>; until: number }>();

  return {
    resolve(name: string, requestId: string): Promise<ResolvedRoute | null> {
      const hit = cache.get(name);
      if (hit && hit.until > now()) return hit.route;
      const route = options.client
        .post<{ route: ResolvedRoute | null }>(url, { name }, requestId)
        .then((answer) => answer.route);
      if (cache.size > 10_000) cache.clear();
      cache.set(name, { route, until: now() + options.cacheMs });
      route.catch(() => cache.delete(name));
      return route;
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
