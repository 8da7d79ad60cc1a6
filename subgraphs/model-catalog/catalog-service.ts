import type { Db, Queryable } from '../../lib/db/index.js';
import { badUserInput, conflict, notFound } from '../../lib/errors.js';
import type {
  ModelRouteInput,
  RegisterModelInput,
  RegisterProviderInput,
  UpdateModelInput,
} from './generated/resolvers-types.js';
import type { ProviderRow, RouteRow } from './store/model-rows.js';
import { createModelStore } from './store/model-store.js';
import { createProviderStore } from './store/provider-store.js';
import { createRouteStore } from './store/route-store.js';
import {
  assertModelId,
  checkProvider,
  checkRegisterModel,
  checkRoute,
  checkUpdateModel,
} from './validation.js';

/** The catalog's write operations: validate, then change the store in one transaction. */
export function createCatalogService(db: Db, now: () => Date) {
  const requireModel = async (tx: Queryable, id: string) => {
    assertModelId(id);
    const model = await createModelStore(tx).lock(id);
    if (!model) throw notFound('Model', id);
    return model;
  };

  return {
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
        if (replacementId !== null) {
          if (replacementId === id) {
            throw badUserInput('A model cannot replace itself.', { field: 'replacementId' });
          }
          assertModelId(replacementId, 'replacementId');
          const [replacement] = await createModelStore(tx).byIds([replacementId]);
          if (!replacement) {
            throw badUserInput(`Unknown replacement model "${replacementId}".`, {
              field: 'replacementId',
            });
          }
          if (replacement.status === 'DEPRECATED' || replacement.status === 'RETIRED') {
            throw badUserInput('The replacement must be a PREVIEW or ACTIVE model.', {
              field: 'replacementId',
            });
          }
        }
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
