import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { costOf, embeddingInputBound, worstCaseCost } from '../cost.js';
import { countTokens } from '../../providers/token-count.js';
import { orderTargets } from '../routing/order-targets.js';
import type { Attempt } from '../routing/run-attempts.js';
import { callTimingOf } from '../timing.js';
import { planCall } from './call-plan.js';
import { amountOf, FREE, reserveCredits, type Charge } from './payment.js';
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
  /**
   * This field's share of the charge, as a decimal string: split by the tokens of the field's
   * texts that were charged (a text the cache answered costs its field nothing); shares add up
   * to what the ledger charged.
   */
  cost: string;
  chargeStatus: Charge['status'];
  cached: boolean;
  cachedCount: number;
  attempts: Attempt[];
}

/** Provider batch size when the catalog names none. */
const DEFAULT_BATCH = 2048;

/**
 * Every `embed` field of one operation for one team, model and data class, as one saga: texts are
 * de-duplicated across the fields, looked up in the team's cache, and the rest sent in batches of
 * the model's `maxBatchSize`, all under one hold. The first batch picks the deployment (routing,
 * retries, fallback); the other batches go to the same one, so every vector of the group comes
 * from one model. When one batch fails, the others are cancelled before the hold is released.
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
    .getEmbeddings(ctx.teamId, primary.model.id, unique)
    .catch(() => unique.map(() => null));
  const vectors = new Map<string, number[]>();
  unique.forEach((text, i) => fromCache[i] && vectors.set(text, fromCache[i]!));
  const misses = unique.filter((text) => !vectors.has(text));
  const missed = new Set(misses);
  const missTokens = sum(misses.map((text) => tokens.get(text)!));
  const shares = { fields, tokens, vectors };

  const settle = await reserveRate(deps, ctx, plan.limits, {
    requests: fields.length,
    tokens: missTokens,
  });
  const charging = misses.length > 0 || deps.settings.cacheHitsCharged;
  if (!charging) {
    await settle(0);
    return shareOut(shares, primary, FREE, { cached: new Set(unique), charged: new Set() }, []);
  }

  // Enough for every text at any target's price: a fallback model recomputes cached texts too.
  const inputBound = embeddingInputBound(unique);
  const payment = await reserveCredits(deps, ctx, {
    amount: ordered.reduce((most, t) => {
      const cost = worstCaseCost(inputBound, 0, t.model.price!);
      return cost > most ? cost : most;
    }, 0n),
    modelId: primary.model.id,
    priceVersion: primary.model.price!.version,
    ttlSeconds: callTimingOf(deps.settings, 0).holdTtlSeconds,
  }).catch(async (error) => {
    await settle(0);
    throw error;
  });

  let attempts: Attempt[] = [];
  let target = primary;
  let providerTokens = 0;
  try {
    const batchSize = Math.min(...ordered.map((t) => t.model.maxBatchSize ?? DEFAULT_BATCH));
    const batches = chunk(misses, batchSize);
    const embedBatch = (
      targets: readonly ResolvedTarget[],
      texts: string[],
      cancel?: AbortSignal,
    ) =>
      callProviders(
        deps,
        targets,
        deps.settings,
        (adapter, t, signal) =>
          adapter.embed({ model: t.model.providerModel, inputs: texts }, { signal }),
        cancel,
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
      const outcomes = await allOrNothing(
        rest.map((texts) => (cancel) => embedBatch([target], texts, cancel)),
      );
      outcomes.forEach((outcome, i) => take(rest[i]!, outcome));
    }
  } catch (error) {
    return abandonCall(payment, settle, error, attempts);
  }

  const price = target.model.price!;
  const hits = unique.filter((text) => !missed.has(text));
  const recomputed = target !== primary;
  const hitTokens = recomputed ? 0 : sum(hits.map((text) => tokens.get(text)!));
  const usage = {
    inputTokens: providerTokens + (deps.settings.cacheHitsCharged ? hitTokens : 0),
    outputTokens: 0,
  };
  const charge = await payment.capture({
    amount: costOf(usage, price),
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
      charge,
      cached: false,
    },
    deps.usageMetrics,
  );
  const fresh = recomputed ? unique : misses;
  await deps.cache
    .putEmbeddings(
      ctx.teamId,
      target.model.id,
      fresh.map((text) => [text, vectors.get(text)!]),
    )
    .catch(() => undefined);
  const cached = new Set(recomputed ? [] : hits);
  const charged = new Set(deps.settings.cacheHitsCharged ? unique : fresh);
  return shareOut(shares, target, charge, { cached, charged }, attempts);
}

/**
 * Runs every task at once; when one fails, cancels the others and waits for them to stop before
 * throwing the first failure, so no provider call outlives the call's hold.
 */
async function allOrNothing<T>(tasks: Array<(cancel: AbortSignal) => Promise<T>>): Promise<T[]> {
  const controller = new AbortController();
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    tasks.map((task) =>
      task(controller.signal).catch((error: unknown) => {
        failure ??= { error };
        controller.abort();
        throw error;
      }),
    ),
  );
  if (failure) throw failure.error;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * Each field's vectors, token count and share of the charge: split by the tokens of the field's
 * charged texts (the last field with any takes the rest, so shares add up exactly).
 */
function shareOut(
  {
    fields,
    tokens,
    vectors,
  }: {
    fields: EmbedFieldRequest[];
    tokens: Map<string, number>;
    vectors: Map<string, number[]>;
  },
  target: ResolvedTarget,
  charge: Charge,
  texts: { cached: Set<string>; charged: Set<string> },
  attempts: Attempt[],
): EmbeddingsResult[] {
  const cost = amountOf(charge);
  const weights = fields.map((f) =>
    sum(f.texts.filter((text) => texts.charged.has(text)).map((text) => tokens.get(text)!)),
  );
  const total = sum(weights);
  const last = total === 0 ? fields.length - 1 : weights.findLastIndex((w) => w > 0);
  let given = 0n;
  return fields.map((field, i) => {
    const share =
      i === last ? cost - given : total === 0 ? 0n : (cost * BigInt(weights[i]!)) / BigInt(total);
    given += share;
    const cachedCount = field.texts.filter((text) => texts.cached.has(text)).length;
    return {
      modelId: target.model.id,
      priceVersion: target.model.price!.version,
      vectors: field.texts.map((text) => vectors.get(text)!),
      usage: { inputTokens: sum(field.texts.map((text) => tokens.get(text)!)), outputTokens: 0 },
      cost: share.toString(),
      chargeStatus: charge.status,
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
