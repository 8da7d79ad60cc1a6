import type { InternalTokenVerifier } from '../../lib/auth/internal-token.js';
import type { Db } from '../../lib/db/index.js';
import type { Routes } from '../../lib/http/http-server.js';
import { internalRoute } from '../../lib/subgraph/internal-route.js';
import { lookupRoute } from './service/route-resolution.js';

/** The paths the catalog serves to other services (the inference service's catalog client). */
export const CATALOG_INTERNAL_PATHS = { resolveRoute: '/internal/resolve-route' } as const;

const MAX_NAME = 200;

/**
 * The catalog's service face: the inference service asks what a `model` argument resolves to, and
 * gets `{ route }` (null for an unknown name, then with `suggestions`: names it may have meant).
 */
export function createCatalogInternalRoutes(
  db: Db,
  verifier: InternalTokenVerifier,
  now: () => Date,
): Routes {
  return {
    [CATALOG_INTERNAL_PATHS.resolveRoute]: {
      POST: internalRoute(verifier, async (body) => {
        const name = typeof body.name === 'string' ? body.name.slice(0, MAX_NAME) : '';
        if (!name) return { route: null };
        const { route, suggestions } = await lookupRoute(db, name, now());
        return route ? { route } : { route: null, suggestions };
      }),
    },
  };
}
