import type { ModelSpec, ResolvedRoute } from '../../lib/catalog/resolved-route.js';
import type { InternalTokenVerifier } from '../../lib/auth/internal-token.js';
import type { Db } from '../../lib/db/index.js';
import type { Routes } from '../../lib/http/http-server.js';
import { internalRoute } from '../../lib/subgraph/internal-route.js';
import { priceAt } from './pricing.js';
import { createModelStore } from './store/model-store.js';
import type { ModelRow, ProviderRow } from './store/model-rows.js';
import { createProviderStore } from './store/provider-store.js';
import { createRouteStore } from './store/route-store.js';

/** The paths the catalog serves to other services (the inference service resolves routes). */
export const CATALOG_INTERNAL_PATHS = { resolveRoute: '/internal/resolve-route' } as const;

const MAX_NAME = 200;

/**
 * Resolves what a caller named: a route alias first, else a model id as a one-target FALLBACK
 * route; undefined when it is neither. Targets keep the route's order, each with its provider and
 * the price in force at `at`.
 */
export async function resolveRoute(
  db: Db,
  name: string,
  at: Date,
): Promise<ResolvedRoute | undefined> {
  const route = await createRouteStore(db).byAlias(name);
  const targets = route?.targets ?? [{ modelId: name, weight: 1 }];
  const models = createModelStore(db);
  const rows = await models.byIds(targets.map((t) => t.modelId));
  if (!route && rows.length === 0) return undefined;
  const [providers, prices] = await Promise.all([
    createProviderStore(db).byIds([...new Set(rows.map((m) => m.providerId))]),
    models.prices(rows.map((m) => m.id)),
  ]);
  const byId = new Map(rows.map((m) => [m.id, m]));
  const providerById = new Map(providers.map((p) => [p.id, p]));
  return {
    alias: route?.alias ?? name,
    strategy: route?.strategy ?? 'FALLBACK',
    targets: targets.flatMap((target) => {
      const model = byId.get(target.modelId);
      const provider = model && providerById.get(model.providerId);
      if (!model || !provider) return [];
      const price = priceAt(
        prices.filter((p) => p.modelId === model.id),
        at,
      );
      return [{ weight: target.weight, model: toSpec(model, provider, price) }];
    }),
  };
}

function toSpec(
  model: ModelRow,
  provider: ProviderRow,
  price: ReturnType<typeof priceAt>,
): ModelSpec {
  return {
    id: model.id,
    providerModel: model.providerModel,
    capabilities: model.capabilities,
    tags: model.tags,
    dataClassification: model.dataClassification,
    status: model.status,
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxOutputTokens,
    embeddingDimensions: model.embeddingDimensions,
    maxBatchSize: model.maxBatchSize,
    provider: {
      id: provider.id,
      kind: provider.kind,
      baseUrl: provider.baseUrl,
      apiKeyEnv: provider.apiKeyEnv,
    },
    price: price
      ? {
          version: price.version,
          inputPerMillion: price.inputPerMillion.toString(),
          outputPerMillion: price.outputPerMillion.toString(),
        }
      : null,
  };
}

/** The catalog's service face: the inference service asks what a `model` argument resolves to. */
export function createCatalogInternalRoutes(
  db: Db,
  verifier: InternalTokenVerifier,
  now: () => Date,
): Routes {
  return {
    [CATALOG_INTERNAL_PATHS.resolveRoute]: {
      POST: internalRoute(verifier, async (body) => {
        const name = typeof body.name === 'string' ? body.name.slice(0, MAX_NAME) : '';
        return { route: (name && (await resolveRoute(db, name, now()))) || null };
      }),
    },
  };
}
