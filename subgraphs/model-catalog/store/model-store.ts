import type { Queryable } from '../../../lib/db/index.js';
import { sqlConditions } from '../../../lib/db/sql-conditions.js';
import type { ModelFilter } from '../generated/resolvers-types.js';
import type { ModelFields, ModelRow, NewPrice, PriceRow } from './model-rows.js';

const STATUS = `CASE WHEN status = 'DEPRECATED' AND sunset_at IS NOT NULL AND sunset_at <= now()
  THEN 'RETIRED' ELSE status END`;

const MODEL_COLUMNS = `id, provider_id, provider_model, display_name, description, capabilities,
  context_window, max_output_tokens, embedding_dimensions, max_batch_size, tags,
  ${STATUS} AS status, data_classification, deprecated_at, sunset_at, replacement_id, created_at, updated_at`;

interface ModelRecord {
  id: string;
  provider_id: string;
  provider_model: string;
  display_name: string;
  description: string;
  capabilities: ModelRow['capabilities'];
  context_window: number;
  max_output_tokens: number | null;
  embedding_dimensions: number | null;
  max_batch_size: number | null;
  tags: string[];
  status: ModelRow['status'];
  data_classification: ModelRow['dataClassification'];
  deprecated_at: Date | null;
  sunset_at: Date | null;
  replacement_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toModel = (r: ModelRecord): ModelRow => ({
  id: r.id,
  providerId: r.provider_id,
  providerModel: r.provider_model,
  displayName: r.display_name,
  description: r.description,
  capabilities: r.capabilities,
  contextWindow: r.context_window,
  maxOutputTokens: r.max_output_tokens,
  embeddingDimensions: r.embedding_dimensions,
  maxBatchSize: r.max_batch_size,
  tags: r.tags,
  status: r.status,
  dataClassification: r.data_classification,
  deprecatedAt: r.deprecated_at,
  sunsetAt: r.sunset_at,
  replacementId: r.replacement_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface PriceRecord {
  model_id: string;
  version: number;
  input_per_mtok: string;
  output_per_mtok: string;
  effective_from: Date;
}

const toPrice = (r: PriceRecord): PriceRow => ({
  modelId: r.model_id,
  version: r.version,
  inputPerMillion: BigInt(r.input_per_mtok),
  outputPerMillion: BigInt(r.output_per_mtok),
  effectiveFrom: r.effective_from,
  effectiveUntil: null,
});

/** SQL conditions for a filter; every value is a parameter. */
function whereClause(
  filter: ModelFilter | null | undefined,
  afterId: string | null,
  params: unknown[],
) {
  const where = sqlConditions(params);
  if (filter?.capabilities?.length)
    where.add((p) => `capabilities @> ${p}::text[]`, filter.capabilities);
  if (filter?.providers?.length)
    where.add((p) => `provider_id = ANY(${p}::text[])`, filter.providers);
  if (filter?.lifecycle?.length)
    where.add((p) => `${STATUS} = ANY(${p}::text[])`, filter.lifecycle);
  if (filter?.tags?.length) where.add((p) => `tags @> ${p}::text[]`, filter.tags);
  if (filter?.minContextWindow != null)
    where.add((p) => `context_window >= ${p}`, filter.minContextWindow);
  if (afterId !== null) where.add((p) => `id > ${p}`, afterId);
  return `WHERE ${where.joined()}`;
}

/** A model's columns after its id and provider, in the order insert and update write them. */
const changeable = (model: ModelFields) => [
  model.providerModel,
  model.displayName,
  model.description,
  model.capabilities,
  model.contextWindow,
  model.maxOutputTokens,
  model.embeddingDimensions,
  model.maxBatchSize,
  model.tags,
  model.status,
  model.dataClassification,
];

/**
 * Models and their append-only price versions.
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createModelStore(db: Queryable) {
  return {
    async byIds(ids: readonly string[]): Promise<ModelRow[]> {
      const { rows } = await db.query<ModelRecord>(
        `SELECT ${MODEL_COLUMNS} FROM models WHERE id = ANY($1::text[])`,
        [ids],
      );
      return rows.map(toModel);
    },

    /** Every model id, in id order: what a "did you mean" suggestion is chosen from. */
    async ids(): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM models ORDER BY id');
      return rows.map((r) => r.id);
    },

    /** Up to `limit` models after `afterId` in id order. */
    async list(filter: ModelFilter | null | undefined, afterId: string | null, limit: number) {
      const params: unknown[] = [];
      const where = whereClause(filter, afterId, params);
      params.push(limit);
      const { rows } = await db.query<ModelRecord>(
        `SELECT ${MODEL_COLUMNS} FROM models ${where} ORDER BY id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toModel);
    },

    async count(filter: ModelFilter | null | undefined): Promise<number> {
      const params: unknown[] = [];
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM models ${whereClause(filter, null, params)}`,
        params,
      );
      return Number(rows[0]?.n ?? 0);
    },

    /** Inserts the model and its first price; false (and nothing written) when the id is taken. */
    async insert(model: ModelFields, price: NewPrice): Promise<boolean> {
      const { rowCount } = await db.query(
        `INSERT INTO models (id, provider_id, provider_model, display_name, description, capabilities,
           context_window, max_output_tokens, embedding_dimensions, max_batch_size, tags, status,
           data_classification)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (id) DO NOTHING`,
        [model.id, model.providerId, ...changeable(model)],
      );
      if (rowCount === 0) return false;
      await this.addPrice(model.id, price);
      return true;
    },

    /** Locks the model's row for the rest of the transaction. */
    async lock(id: string): Promise<ModelRow | undefined> {
      const { rows } = await db.query<ModelRecord>(
        `SELECT ${MODEL_COLUMNS} FROM models WHERE id = $1 FOR UPDATE`,
        [id],
      );
      return rows[0] && toModel(rows[0]);
    },

    async update(model: ModelFields): Promise<void> {
      await db.query(
        `UPDATE models SET provider_model = $2, display_name = $3, description = $4,
           capabilities = $5, context_window = $6, max_output_tokens = $7,
           embedding_dimensions = $8, max_batch_size = $9, tags = $10, status = $11,
           data_classification = $12, updated_at = now()
         WHERE id = $1`,
        [model.id, ...changeable(model)],
      );
    },

    async deprecate(id: string, sunsetAt: Date | null, replacementId: string | null) {
      await db.query(
        `UPDATE models SET status = 'DEPRECATED', deprecated_at = COALESCE(deprecated_at, now()),
           sunset_at = $2, replacement_id = $3, updated_at = now()
         WHERE id = $1`,
        [id, sunsetAt, replacementId],
      );
    },

    /** Appends the next price version; callers hold the model's row lock. */
    async addPrice(modelId: string, price: NewPrice): Promise<void> {
      await db.query(
        `INSERT INTO model_prices (model_id, version, input_per_mtok, output_per_mtok, effective_from)
         SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4 FROM model_prices WHERE model_id = $1`,
        [
          modelId,
          price.inputPerMillion.toString(),
          price.outputPerMillion.toString(),
          price.effectiveFrom,
        ],
      );
    },

    /** Every price version of the given models, each model's in effective order. */
    async prices(modelIds: readonly string[]): Promise<PriceRow[]> {
      const { rows } = await db.query<PriceRecord>(
        `SELECT model_id, version, input_per_mtok, output_per_mtok, effective_from
         FROM model_prices WHERE model_id = ANY($1::text[])
         ORDER BY model_id, effective_from, version`,
        [modelIds],
      );
      return rows.map(toPrice);
    },
  };
}

export type ModelStore = ReturnType<typeof createModelStore>;
