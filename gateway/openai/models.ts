import type { GatewayContext } from '../context.js';
import { OpenAiError, modelNotFound } from './errors.js';
import { MODEL, MODELS, type ModelResult } from './operations.js';
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

/** `GET /v1/models`: every callable model the caller's team may use (policy's `Model.access`). */
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
  return { object: 'list', data };
}

/** `GET /v1/models/{id}`: 404 model_not_found for a model that is unknown or not allowed. */
export async function retrieveModel(run: RunOperation, context: GatewayContext, id: string) {
  let model: ModelResult | null;
  try {
    ({ model } = await run<{ model: ModelResult | null }>(context, MODEL, { id }));
  } catch (error) {
    if (error instanceof OpenAiError && error.status === 404) throw modelNotFound(id);
    throw error;
  }
  if (!model || !usable(model)) throw modelNotFound(id);
  return modelObject(model);
}
