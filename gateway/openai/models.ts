import type { GatewayContext } from '../context.js';
import { OpenAiError, modelNotFound } from './errors.js';
import { MODEL, MODELS, ROUTE, ROUTES, type ModelResult, type RouteResult } from './operations.js';
import type { RunOperation } from './run-operation.js';
import { unixSeconds } from './chat-response.js';

/** More pages than any catalog has; a bound so a broken cursor cannot loop forever. */
const MAX_PAGES = 100;

const usable = (model: ModelResult) => model.access.allowed && model.lifecycle.status !== 'RETIRED';

const modelObject = (model: ModelResult) => ({
  id: model.id,
  object: 'model',
  created: unixSeconds(model.createdAt),
  owned_by: model.provider.id,
});

/** A route is callable when one of its models is. */
const usableRoute = (route: RouteResult) => route.targets.some((t) => usable(t.model));

const routeObject = (route: RouteResult) => ({
  id: route.alias,
  object: 'model',
  created: unixSeconds(route.updatedAt),
  owned_by: 'modelgraph',
});

/**
 * `GET /v1/models`: every callable model the caller's team may use (policy's `Model.access`),
 * then the routing aliases with at least one such model (`owned_by: "modelgraph"`).
 */
export async function listModels(run: RunOperation, context: GatewayContext) {
  const data: ReturnType<typeof modelObject>[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result: {
      models: {
        edges: Array<{ node: ModelResult }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await run(context, MODELS, { after });
    for (const { node } of result.models.edges) if (usable(node)) data.push(modelObject(node));
    if (!result.models.pageInfo.hasNextPage) break;
    after = result.models.pageInfo.endCursor;
  }
  const { routes } = await run<{ routes: RouteResult[] }>(context, ROUTES, {});
  for (const route of routes) if (usableRoute(route)) data.push(routeObject(route));
  return { object: 'list', data };
}

/**
 * `GET /v1/models/{id}`: a model, else a routing alias; 404 model_not_found for one that is
 * unknown or that the team may not use.
 */
export async function retrieveModel(run: RunOperation, context: GatewayContext, id: string) {
  const notFoundAsNull = async <T>(lookup: Promise<T>): Promise<T | null> => {
    try {
      return await lookup;
    } catch (error) {
      // An id of neither shape (`GPT-4`) is as unknown as a well-formed one: 404, as OpenAI.
      if (error instanceof OpenAiError && (error.status === 404 || error.status === 400)) {
        return null;
      }
      throw error;
    }
  };
  // Model ids are `<provider>/<name>`; aliases have no slash (the catalog checks both shapes).
  if (id.includes('/')) {
    const found = await notFoundAsNull(run<{ model: ModelResult | null }>(context, MODEL, { id }));
    if (!found?.model || !usable(found.model)) throw modelNotFound(id);
    return modelObject(found.model);
  }
  const routed = await notFoundAsNull(
    run<{ route: RouteResult | null }>(context, ROUTE, { alias: id }),
  );
  if (!routed?.route || !usableRoute(routed.route)) throw modelNotFound(id);
  return routeObject(routed.route);
}
