import type { Db, Queryable } from '../../../lib/db/index.js';
import { badUserInput, conflict, didYouMean, notFound } from '../../../lib/errors.js';
import type {
  ModelFilter,
  ModelRouteInput,
  RegisterModelInput,
  RegisterProviderInput,
  UpdateModelInput,
} from '../generated/resolvers-types.js';
import type { ProviderRow, RouteRow } from '../store/model-rows.js';
import { createModelStore } from '../store/model-store.js';
import { createProviderStore } from '../store/provider-store.js';
import { createRouteStore } from '../store/route-store.js';
import { suggestNames } from './model-suggestions.js';
import {
  MODEL_ID,
  ROUTE_ALIAS,
  assertModelId,
  checkProvider,
  checkRegisterModel,
  checkRoute,
  checkUpdateModel,
} from './validation.js';

/**
 * The catalog's operations: reads for the resolvers, and writes that validate, then change the
 * store in one transaction. A model id that is malformed or unknown is answered with the ids the
 * caller may have meant (`openai/gpt-4o-mini` for a bare `gpt-4o-mini`).
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createCatalogService(db: Db, now: () => Date) {
  const models = createModelStore(db);
  const providers = createProviderStore(db);
  const routes = createRouteStore(db);

  const suggestModels = async (q: Queryable, name: string) =>
    suggestNames(name, await createModelStore(q).ids());

  /** Refuses a malformed model id, with suggestions (asked only once it is known to be wrong). */
  const checkModelId = async (q: Queryable, id: string, field = 'id') => {
    if (!MODEL_ID.test(id)) assertModelId(id, field, await suggestModels(q, id));
  };

  const requireModel = async (tx: Queryable, id: string) => {
    await checkModelId(tx, id);
    const model = await createModelStore(tx).lock(id);
    if (!model) throw notFound('Model', id, await suggestModels(tx, id));
    return model;
  };

  const checkReplacement = async (tx: Queryable, id: string, replacementId: string) => {
    if (replacementId === id) {
      throw badUserInput('A model cannot replace itself.', { field: 'replacementId' });
    }
    await checkModelId(tx, replacementId, 'replacementId');
    const [replacement] = await createModelStore(tx).byIds([replacementId]);
    if (!replacement) {
      const suggestions = await suggestModels(tx, replacementId);
      throw badUserInput(
        `Unknown replacement model "${replacementId}".${didYouMean(suggestions)}`,
        suggestions.length ? { field: 'replacementId', suggestions } : { field: 'replacementId' },
      );
    }
    if (replacement.status === 'DEPRECATED' || replacement.status === 'RETIRED') {
      throw badUserInput('The replacement must be a PREVIEW or ACTIVE model.', {
        field: 'replacementId',
      });
    }
  };

  return {
    /** Up to `limit` models after `afterId`, in id order. */
    listModels: (filter: ModelFilter | null | undefined, afterId: string | null, limit: number) =>
      models.list(filter, afterId, limit),
    countModels: (filter: ModelFilter | null | undefined) => models.count(filter),
    listProviders: () => providers.list(),
    listRoutes: () => routes.list(),
    route: async (alias: string): Promise<RouteRow> => {
      const route = ROUTE_ALIAS.test(alias) ? await routes.byAlias(alias) : undefined;
      if (!route) throw notFound('Route', alias);
      return route;
    },
    /** Refuses a malformed model id (BAD_USER_INPUT) with the ids the caller may have meant. */
    checkModelId: (id: string) => checkModelId(db, id),
    /** NOT_FOUND for the model `id`, with the ids the caller may have meant. */
    modelNotFound: async (id: string) => notFound('Model', id, await suggestModels(db, id)),

    registerModel: (input: RegisterModelInput): Promise<string> =>
      db.transaction(async (tx) => {
        const { model, price } = checkRegisterModel(input, now());
        const [provider] = await createProviderStore(tx).byIds([model.providerId]);
        if (!provider) {
          throw badUserInput(`Unknown provider "${model.providerId}".`, { field: 'providerId' });
        }
        // ON CONFLICT, not a prior SELECT: two admins registering one id at once both pass a check.
        if (!(await createModelStore(tx).insert(model, price))) {
          throw conflict(`A model with id "${model.id}" already exists.`, { field: 'id' });
        }
        return model.id;
      }),

    updateModel: (id: string, input: UpdateModelInput): Promise<string> =>
      db.transaction(async (tx) => {
        const current = await requireModel(tx, id);
        const { model, price } = checkUpdateModel(current, input, now());
        const models = createModelStore(tx);
        await models.update(model);
        if (price) await models.addPrice(id, price);
        return id;
      }),

    deprecateModel: (id: string, sunsetAt: Date | null, replacementId: string | null) =>
      db.transaction(async (tx) => {
        const current = await requireModel(tx, id);
        if (current.status === 'RETIRED') throw badUserInput(`Model "${id}" is already retired.`);
        if (sunsetAt && sunsetAt.getTime() <= now().getTime()) {
          throw badUserInput('sunsetAt must be in the future.', { field: 'sunsetAt' });
        }
        if (replacementId !== null) await checkReplacement(tx, id, replacementId);
        await createModelStore(tx).deprecate(id, sunsetAt, replacementId);
        return id;
      }),

    registerProvider: (input: RegisterProviderInput): Promise<ProviderRow> =>
      db.transaction(async (tx) => {
        const provider = checkProvider(input);
        const providers = createProviderStore(tx);
        if (!(await providers.insert(provider))) {
          throw conflict(`A provider with id "${provider.id}" already exists.`, { field: 'id' });
        }
        const [row] = await providers.byIds([provider.id]);
        return row as ProviderRow;
      }),

    setModelRoute: (input: ModelRouteInput): Promise<RouteRow> =>
      db.transaction(async (tx) => {
        const route = await checkRoute(input, (ids) => createModelStore(tx).byIds(ids));
        const routes = createRouteStore(tx);
        await routes.replace(route);
        return (await routes.byAlias(route.alias)) as RouteRow;
      }),
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
