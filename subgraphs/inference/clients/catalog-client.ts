import type { ResolvedRoute } from '../../../lib/catalog/resolved-route.js';
import type { Logger } from '../../../lib/logging.js';
import { retryUnavailable, unavailable, type ServiceClient } from '../../../lib/service-client.js';
import { createTtlCache } from '../../../lib/ttl-cache.js';
import { CATALOG_INTERNAL_PATHS } from '../../model-catalog/internal-routes.js';
import { READ_RETRY_DELAYS_MS } from '../service/timing.js';

/** A route lookup is a read: a transport failure is asked again. */
const catalogRetries = retryUnavailable(READ_RETRY_DELAYS_MS);

/** A route as the saga reads it (`alias`, `targets`), or null: the name is unknown. */
const isRouteOrNull = (route: unknown): route is ResolvedRoute | null =>
  route === null ||
  (typeof route === 'object' &&
    !Array.isArray(route) &&
    typeof (route as ResolvedRoute).alias === 'string' &&
    Array.isArray((route as ResolvedRoute).targets));

/** The catalog's answer: a route, or null (unknown name) with the names it may have meant. */
export interface RouteLookup {
  route: ResolvedRoute | null;
  suggestions: string[];
}

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
  const cache = createTtlCache<Promise<RouteLookup>>({
    ttlMs: options.cacheMs,
    now: options.now,
  });

  const fetchRoute = async (name: string, requestId: string): Promise<RouteLookup> => {
    let answer: { route?: unknown; suggestions?: unknown } | null;
    try {
      answer = await catalogRetries.execute(() =>
        options.client.post<typeof answer>(url, { name }, requestId),
      );
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
    const suggestions = Array.isArray(answer?.suggestions)
      ? answer.suggestions.filter((s): s is string => typeof s === 'string')
      : [];
    return { route, suggestions };
  };

  const lookup = (name: string, requestId: string): Promise<RouteLookup> => {
    const hit = cache.get(name);
    if (hit) return hit;
    const answer = fetchRoute(name, requestId);
    cache.set(name, answer);
    answer.catch(() => cache.delete(name));
    return answer;
  };

  return {
    /** The route `name` names, or null with the names the caller may have meant. */
    lookup,
    resolve: async (name: string, requestId: string): Promise<ResolvedRoute | null> =>
      (await lookup(name, requestId)).route,
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
