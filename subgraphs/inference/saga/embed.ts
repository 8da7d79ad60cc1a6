import { randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../../../lib/catalog/resolved-route.js';
import { costOf, worstCaseCost } from '../cost.js';
import { countTokens } from '../providers/token-count.js';
import { orderTargets } from '../routing/order-targets.js';
import type { Attempt } from '../routing/run-attempts.js';
import { planCall } from './call-plan.js';
import { createPayment } from './payment.js';
import { abandonCall, callProviders } from './provider-calls.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { recordUsage } from './usage-event.js';

/** One `embed` field of an operation. */
export interface EmbedFieldRequest {
  responseKey: string;
  model: string;
  texts: string[];
  dataClass: string;
}

/** What `Embeddings` shows for one field. */
export interface EmbeddingsResult {
  modelId: string;
  priceVersion: number;
  vectors: number[][];
  /** Tokens of this field's texts (our tokenizer's count; the charge uses the provider's). */
  usage: { inputTokens: number; outputTokens: number };
  /** This field's share of the charge, as a decimal string; shares add up to the charge. */
  cost: string;
  cached: boolean;
  cachedCount: number;
  attempts: Attempt[];
}

/** Provider batch size when the catalog names none. */
const DEFAULT_BATCH = 2048;

/**
 * Every `embed` field of one operation for one team, model and data class, as one saga: texts are
 * de-duplicated across the fields, looked up in the cache, and the rest sent in batches of the
 * model's `maxBatchSize`, all under one hold. The first batch picks the deployment (routing,
 * retries, fallback); the other batches go to the same one, so every vector of the group comes
 * from one model.
 */
export async function embedGroup(
  deps: SagaDeps,
  ctx: SagaContext,
  fields: EmbedFieldRequest[],
): Promise<EmbeddingsResult[]> {
  const { model, dataClass } = fields[0]!;
  const plan = await planCall(deps, ctx, { model, dataClass, capability: 'EMBEDDING' });
  const unique = [...new Set(fields.flatMap((f) => f.texts))];
  const tokens = new Map(unique.map((text) => [text, countTokens(text)]));
  const allTokens = sum(unique.map((text) => tokens.get(text)!));
  const ordered = orderTargets(plan.route.strategy, plan.allowed, {
    latencyOf: (modelId) => deps.health.cachedLatency(modelId),
    estimate: { inputTokens: allTokens, outputTokens: 0 },
    random: deps.random,
  });
  const primary = ordered[0]!;
  const fromCache = await deps.cache
    .getEmbeddings(primary.model.id, unique)
    .catch(() => unique.map(() => null));
  const vectors = new Map<string, number[]>();
  unique.forEach((text, i) => fromCache[i] && vectors.set(text, fromCache[i]!));
  const misses = unique.filter((text) => !vectors.has(text));
  const missed = new Set(misses);
  const missTokens = sum(misses.map((text) => tokens.get(text)!));

  const settle = await reserveRate(deps, ctx, plan.limits, {
    requests: fields.length,
    tokens: missTokens,
  });
  const charging = misses.length > 0 || deps.settings.cacheHitsCharged;
  if (!charging) {
    await settle(0);
    return shareOut(fields, tokens, vectors, primary, 0n, new Set(unique), []);
  }

  const payment = createPayment(deps, ctx);
  const requestKey = randomUUID();
  // Enough for every text at any target's price: a fallback model recomputes cached texts too.
  const amount = ordered.reduce((most, t) => {
    const cost = worstCaseCost(allTokens, 0, t.model.price!);
    return cost > most ? cost : most;
  }, 0n);
  const hold = await payment
    .hold({
      requestKey,
      amount,
      modelId: primary.model.id,
      priceVersion: primary.model.price!.version,
    })
    .catch(async (error) => {
      await settle(0);
      throw error;
    });

  let attempts: Attempt[] = [];
  let target = primary;
  let providerTokens = 0;
  try {
    const batchSize = Math.min(...ordered.map((t) => t.model.maxBatchSize ?? DEFAULT_BATCH));
    const batches = chunk(misses, batchSize);
    const embedBatch = (targets: readonly ResolvedTarget[], texts: string[]) =>
      callProviders(deps, targets, (adapter, t, signal) =>
        adapter.embed({ model: t.model.providerModel, inputs: texts }, { signal }),
      );
    const take = (texts: string[], outcome: Awaited<ReturnType<typeof embedBatch>>) => {
      // float32, as providers compute them and as the cache keeps them: a cached answer equals
      // the first one exactly.
      texts.forEach((text, i) => vectors.set(text, outcome.value.vectors[i]!.map(Math.fround)));
      providerTokens += outcome.value.usage.inputTokens;
      attempts = attempts.concat(outcome.attempts);
    };
    if (batches.length > 0) {
      const first = await embedBatch(ordered, batches[0]!);
      target = first.target;
      take(batches[0]!, first);
      if (target !== primary && misses.length < unique.length) {
        // Cached vectors belong to the primary model's space; the fallback recomputes them.
        batches.push(
          ...chunk(
            unique.filter((text) => !missed.has(text)),
            batchSize,
          ),
        );
      }
      const rest = batches.slice(1);
      const outcomes = await Promise.all(rest.map((texts) => embedBatch([target], texts)));
      outcomes.forEach((outcome, i) => take(rest[i]!, outcome));
    }
  } catch (error) {
    return abandonCall(payment, hold, settle, error, attempts);
  }

  const price = target.model.price!;
  const hits = unique.filter((text) => !missed.has(text));
  const recomputed = target !== primary;
  const hitTokens = recomputed ? 0 : sum(hits.map((text) => tokens.get(text)!));
  const charged = deps.settings.cacheHitsCharged ? hitTokens : 0;
  const usage = { inputTokens: providerTokens + charged, outputTokens: 0 };
  const cost = costOf(usage, price);
  await payment.capture(hold, {
    requestKey,
    amount: cost,
    usage,
    modelId: target.model.id,
    priceVersion: price.version,
  });
  await settle(providerTokens);
  recordUsage(
    ctx,
    {
      kind: 'embedding',
      modelId: target.model.id,
      priceVersion: price.version,
      usage,
      cost,
      cached: false,
    },
    deps.usageMetrics,
  );
  const fresh = recomputed ? unique : misses;
  await deps.cache
    .putEmbeddings(
      target.model.id,
      fresh.map((text) => [text, vectors.get(text)!]),
    )
    .catch(() => undefined);
  return shareOut(fields, tokens, vectors, target, cost, new Set(recomputed ? [] : hits), attempts);
}

/** Each field's vectors, token count and share of the charge (the last field takes the rest). */
function shareOut(
  fields: EmbedFieldRequest[],
  tokens: Map<string, number>,
  vectors: Map<string, number[]>,
  target: ResolvedTarget,
  cost: bigint,
  cachedTexts: Set<string>,
  attempts: Attempt[],
): EmbeddingsResult[] {
  const fieldTokens = fields.map((f) => sum(f.texts.map((text) => tokens.get(text)!)));
  const total = BigInt(Math.max(1, sum(fieldTokens)));
  let given = 0n;
  return fields.map((field, i) => {
    const share = i === fields.length - 1 ? cost - given : (cost * BigInt(fieldTokens[i]!)) / total;
    given += share;
    const cachedCount = field.texts.filter((text) => cachedTexts.has(text)).length;
    return {
      modelId: target.model.id,
      priceVersion: target.model.price!.version,
      vectors: field.texts.map((text) => vectors.get(text)!),
      usage: { inputTokens: fieldTokens[i]!, outputTokens: 0 },
      cost: share.toString(),
      cached: cachedCount === field.texts.length,
      cachedCount,
      attempts,
    };
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
