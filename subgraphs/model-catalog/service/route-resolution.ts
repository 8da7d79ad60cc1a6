import type { ModelSpec, ResolvedRoute } from '../../../lib/catalog/resolved-route.js';
import type { Queryable } from '../../../lib/db/index.js';
import type { ModelRow, ProviderRow } from '../store/model-rows.js';
import { createModelStore } from '../store/model-store.js';
import { createProviderStore } from '../store/provider-store.js';
import { createRouteStore } from '../store/route-store.js';
import { suggestNames } from './model-suggestions.js';
import { priceAt } from './pricing.js';

/**
 * Resolves what a caller named: a route alias first, else a model id as a one-target FALLBACK
 * route; undefined when it is neither. Targets keep the route's order, each with its provider and
 * the price in force at `at`.
 */
export async function resolveRoute(
  db: Queryable,
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

/**
 * What a name resolves to, and when it resolves to nothing, the model ids and route aliases the
 * caller may have meant (so `gpt-4o-mini` is answered with "Did you mean openai/gpt-4o-mini?").
 */
export async function lookupRoute(
  db: Queryable,
  name: string,
  at: Date,
): Promise<{ route: ResolvedRoute | null; suggestions: string[] }> {
  const route = await resolveRoute(db, name, at);
  if (route) return { route, suggestions: [] };
  const [ids, routes] = await Promise.all([
    createModelStore(db).ids(),
    createRouteStore(db).list(),
  ]);
  return { route: null, suggestions: suggestNames(name, [...ids, ...routes.map((r) => r.alias)]) };
}
