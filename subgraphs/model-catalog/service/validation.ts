import { DEFAULT_DATA_CLASS } from '../../../lib/policy/data-classes.js';
import { badUserInput, didYouMean } from '../../../lib/errors.js';
import type {
  Capability,
  LifecycleStatus,
  PriceInput,
  ModelRouteInput,
  RegisterModelInput,
  RegisterProviderInput,
  UpdateModelInput,
} from '../generated/resolvers-types.js';
import type {
  ModelFields,
  ModelRow,
  NewPrice,
  ProviderRow,
  RouteRow,
} from '../store/model-rows.js';

export const MODEL_ID = /^([a-z][a-z0-9-]{1,31})\/([a-z0-9][a-z0-9._:-]{0,99})$/;
export const PROVIDER_ID = /^[a-z][a-z0-9-]{1,31}$/;
export const ROUTE_ALIAS = /^[a-z][a-z0-9-]{1,63}$/;
const TAG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const MAX_CONTEXT = 10_000_000;
const MAX_TAGS = 20;
const MAX_ROUTE_TARGETS = 16;
/** How far in the past a "new" price may start, to absorb clock skew between client and server. */
const PRICE_SKEW_MS = 5_000;

const invalid = (field: string, message: string) => badUserInput(message, { field });

/** Refuses what is not a model id; `suggestions` (ids the caller may have meant) end the message. */
export function assertModelId(id: string, field = 'id', suggestions: readonly string[] = []): void {
  if (!MODEL_ID.test(id)) {
    throw badUserInput(
      `"${id}" is not a model id: expected "<provider>/<name>" in lowercase.${didYouMean(suggestions)}`,
      suggestions.length ? { field, suggestions: [...suggestions] } : { field },
    );
  }
}

function text(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw invalid(field, `${field} must be 1 to ${max} characters.`);
  }
  return trimmed;
}

function positiveInt(value: number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(field, `${field} must be a whole number from 1 to ${max}.`);
  }
  return value;
}

function tags(values: readonly string[]): string[] {
  const unique = [...new Set(values)];
  if (unique.length > MAX_TAGS) throw invalid('tags', `At most ${MAX_TAGS} tags.`);
  for (const tag of unique) {
    if (!TAG.test(tag))
      throw invalid('tags', `Tag "${tag}" must be lowercase letters, digits and -.`);
  }
  return unique.sort();
}

function settableStatus(status: LifecycleStatus): LifecycleStatus {
  if (status !== 'PREVIEW' && status !== 'ACTIVE') {
    throw invalid(
      'status',
      'status may be PREVIEW or ACTIVE here; use deprecateModel to deprecate.',
    );
  }
  return status;
}

/** The rules every model must satisfy, checked on the merged result of a register or update. */
function checkModel(model: ModelFields): ModelFields {
  if (model.capabilities.length === 0) {
    throw invalid('capabilities', 'A model needs at least one capability.');
  }
  positiveInt(model.contextWindow, 'contextWindow', MAX_CONTEXT);
  if (model.maxOutputTokens !== null) {
    positiveInt(model.maxOutputTokens, 'maxOutputTokens', model.contextWindow);
  }
  const embeds = model.capabilities.includes('EMBEDDING');
  if (embeds && (model.embeddingDimensions === null || model.maxBatchSize === null)) {
    throw invalid(
      'embeddingDimensions',
      'EMBEDDING models need embeddingDimensions and maxBatchSize.',
    );
  }
  if (!embeds && (model.embeddingDimensions !== null || model.maxBatchSize !== null)) {
    throw invalid(
      'embeddingDimensions',
      'embeddingDimensions and maxBatchSize are for EMBEDDING models only.',
    );
  }
  if (model.embeddingDimensions !== null)
    positiveInt(model.embeddingDimensions, 'embeddingDimensions', 65_536);
  if (model.maxBatchSize !== null) positiveInt(model.maxBatchSize, 'maxBatchSize', 100_000);
  if (model.capabilities.includes('CHAT') && model.maxOutputTokens === null) {
    throw invalid('maxOutputTokens', 'CHAT models need maxOutputTokens.');
  }
  return model;
}

/** Validates a price; `earliest` is the first instant it may take effect. */
export function checkPrice(price: PriceInput, now: Date, mode: 'initial' | 'change'): NewPrice {
  for (const field of ['inputPerMillion', 'outputPerMillion'] as const) {
    if (price[field] < 0n) throw invalid(`price.${field}`, `price.${field} must not be negative.`);
  }
  const effectiveFrom = price.effectiveFrom ?? now;
  if (mode === 'change' && effectiveFrom.getTime() < now.getTime() - PRICE_SKEW_MS) {
    throw invalid('price.effectiveFrom', 'A price change cannot take effect in the past.');
  }
  if (mode === 'initial' && effectiveFrom.getTime() > now.getTime()) {
    throw invalid('price.effectiveFrom', 'A new model must have a price in force now.');
  }
  return {
    inputPerMillion: price.inputPerMillion,
    outputPerMillion: price.outputPerMillion,
    effectiveFrom:
      effectiveFrom.getTime() < now.getTime() && mode === 'change' ? now : effectiveFrom,
  };
}

export function checkRegisterModel(input: RegisterModelInput, now: Date) {
  assertModelId(input.id);
  const [, providerPart, namePart] = MODEL_ID.exec(input.id) as RegExpExecArray;
  if (providerPart !== input.providerId) {
    throw invalid('id', `The id must start with the provider id: "${input.providerId}/...".`);
  }
  const model = checkModel({
    id: input.id,
    providerId: input.providerId,
    providerModel: text(input.providerModel ?? namePart, 'providerModel', 200),
    displayName: text(input.displayName, 'displayName', 100),
    description: (input.description ?? '').trim(),
    capabilities: [...new Set(input.capabilities)] as Capability[],
    contextWindow: input.contextWindow,
    maxOutputTokens: input.maxOutputTokens ?? null,
    embeddingDimensions: input.embeddingDimensions ?? null,
    maxBatchSize: input.maxBatchSize ?? null,
    tags: tags(input.tags ?? []),
    status: settableStatus(input.status ?? 'ACTIVE'),
    dataClassification: input.dataClassification ?? DEFAULT_DATA_CLASS,
  });
  return { model, price: checkPrice(input.price, now, 'initial') };
}

export function checkUpdateModel(current: ModelRow, input: UpdateModelInput, now: Date) {
  if (current.status === 'RETIRED') throw invalid('id', `Model "${current.id}" is retired.`);
  if (input.status != null && current.status === 'DEPRECATED') {
    throw invalid('status', 'A deprecated model keeps its status.');
  }
  const pick = <K extends keyof UpdateModelInput>(key: K) => input[key] ?? undefined;
  const model = checkModel({
    id: current.id,
    providerId: current.providerId,
    providerModel: text(pick('providerModel') ?? current.providerModel, 'providerModel', 200),
    displayName: text(pick('displayName') ?? current.displayName, 'displayName', 100),
    description: (pick('description') ?? current.description).trim(),
    capabilities: pick('capabilities')
      ? ([...new Set(input.capabilities)] as Capability[])
      : current.capabilities,
    contextWindow: pick('contextWindow') ?? current.contextWindow,
    maxOutputTokens: pick('maxOutputTokens') ?? current.maxOutputTokens,
    embeddingDimensions: pick('embeddingDimensions') ?? current.embeddingDimensions,
    maxBatchSize: pick('maxBatchSize') ?? current.maxBatchSize,
    tags: input.tags ? tags(input.tags) : current.tags,
    status: input.status != null ? settableStatus(input.status) : current.status,
    dataClassification: input.dataClassification ?? current.dataClassification,
  });
  return { model, price: input.price ? checkPrice(input.price, now, 'change') : null };
}

export function checkProvider(input: RegisterProviderInput): Omit<ProviderRow, 'createdAt'> {
  if (!PROVIDER_ID.test(input.id)) {
    throw invalid(
      'id',
      'A provider id is 2 to 32 lowercase letters, digits and -, starting with a letter.',
    );
  }
  let baseUrl: string | null = null;
  if (input.baseUrl != null) {
    let url: URL | undefined;
    try {
      url = new URL(input.baseUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw invalid('baseUrl', 'baseUrl must be an http(s) URL.');
    }
    baseUrl = input.baseUrl.replace(/\/+$/, '');
  }
  if (input.kind !== 'LOCAL' && !baseUrl)
    throw invalid('baseUrl', `${input.kind} providers need baseUrl.`);
  if (input.apiKeyEnv != null && !ENV_NAME.test(input.apiKeyEnv)) {
    throw invalid(
      'apiKeyEnv',
      'apiKeyEnv must be an environment variable name such as OPENAI_API_KEY.',
    );
  }
  return {
    id: input.id,
    displayName: text(input.displayName, 'displayName', 100),
    kind: input.kind,
    baseUrl,
    apiKeyEnv: input.apiKeyEnv ?? null,
  };
}

/** Validates a route; `findModels` says which of its target models exist. */
export async function checkRoute(
  input: ModelRouteInput,
  findModels: (ids: string[]) => Promise<ModelRow[]>,
): Promise<Omit<RouteRow, 'updatedAt'>> {
  if (!ROUTE_ALIAS.test(input.alias)) {
    throw badUserInput(
      'An alias is 2 to 64 lowercase letters, digits and -, starting with a letter.',
      {
        field: 'alias',
      },
    );
  }
  if (input.targets.length < 1 || input.targets.length > MAX_ROUTE_TARGETS) {
    throw badUserInput(`A route needs 1 to ${MAX_ROUTE_TARGETS} targets.`, { field: 'targets' });
  }
  const targets = input.targets.map((t) => ({ modelId: t.modelId, weight: t.weight ?? 1 }));
  const ids = targets.map((t) => t.modelId);
  if (new Set(ids).size !== ids.length) {
    throw badUserInput('A model appears twice among the targets.', { field: 'targets' });
  }
  for (const target of targets) {
    assertModelId(target.modelId, 'targets.modelId');
    if (!Number.isInteger(target.weight) || target.weight < 0 || target.weight > 1000) {
      throw badUserInput('weight must be 0 to 1000.', { field: 'targets.weight' });
    }
  }
  if (input.strategy === 'WEIGHTED' && targets.every((t) => t.weight === 0)) {
    throw badUserInput('A WEIGHTED route needs a target with weight above 0.', {
      field: 'targets',
    });
  }
  const found = new Set((await findModels(ids)).map((m) => m.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw badUserInput(`Unknown models: ${missing.join(', ')}.`, { field: 'targets.modelId' });
  }
  return {
    alias: input.alias,
    description: (input.description ?? '').trim(),
    strategy: input.strategy,
    targets,
  };
}
