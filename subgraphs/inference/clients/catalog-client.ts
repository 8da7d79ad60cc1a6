import { CATALOG_INTERNAL_PATHS, type ResolvedRoute } from '../../../lib/catalog/resolved-route.js';
import type { Logger } from '../../../lib/logging.js';
import { unavailable, type ServiceClient } from '../../../lib/service-client.js';
import { createTtlCache } from '../../../lib/ttl-cache.js';

/** A route as the saga reads it (`alias`, `targets`), or null: the name is unknown. */
const isRouteOrNull = (route: unknown): route is ResolvedRoute | null =>
  route === null ||
  (typeof route === 'object' &&
    !Array.isArray(route) &&
    typeof (route as ResolvedRoute).alias === 'string' &&
    Array.isArray((route as ResolvedRoute).targets));

/**
 * Asks the model catalog what a `model` argument names, reusing each answer for `cacheMs` (and
 * sharing one in-flight lookup between concurrent callers). A catalog change is seen within that
 * time; the price version a call used is recorded with its hold, so a price change mid-call is safe.
 * A lookup that fails, or whose answer is not a route or null, is never cached: the caller gets
 * SERVICE_UNAVAILABLE (never NOT_FOUND, never the catalog's address) and the log gets the details.
 */
export function createCatalogClient(options: {
  client: ServiceClient;
  /** The catalog's GraphQL URL; internal routes live on the same origin. */
  catalogUrl: string;
  cacheMs: number;
  /** Where failed lookups are logged in full. */
  logger: Logger;
  now?: () => number;
}) {
  const url = new URL(CATALOG_INTERNAL_PATHS.resolveRoute, options.catalogUrl).toString();
  const cache = createTtlCache<Promise<ResolvedRoute | null>>({
    ttlMs: options.cacheMs,
    now: options.now,
  });

  const lookup = async (name: string, requestId: string) => {
    let answer: { route?: unknown } | null;
    try {
      answer = await options.client.post<{ route?: unknown } | null>(url, { name }, requestId);
    } catch (error) {
      options.logger.error({ err: error, requestId, name }, 'model catalog lookup failed');
      throw unavailable('The model catalog');
    }
    const route = answer?.route;
    if (!isRouteOrNull(route)) {
      const err = new Error(`${url} answered something that is not a route: ${typeof route}`);
      options.logger.error({ err, requestId, name }, 'model catalog lookup failed');
      throw unavailable('The model catalog');
    }
    return route;
  };

  return {
    resolve(name: string, requestId: string): Promise<ResolvedRoute | null> {
      const hit = cache.get(name);
      if (hit) return hit;
      const route = lookup(name, requestId);
      cache.set(name, route);
      route.catch(() => cache.delete(name));
      return route;
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
