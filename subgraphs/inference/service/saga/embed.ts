import { randomUUID } from 'node:crypto';
import { costOf, embeddingInputBound, worstCaseCost } from '../cost.js';
import { countTokens } from '../../providers/token-count.js';
import { orderTargets } from '../routing/order-targets.js';
import type { Attempt } from '../routing/run-attempts.js';
import { callTimingOf } from '../timing.js';
import { planCall } from './call-plan.js';
import { embedMisses, type EmbedRun } from './embed-batches.js';
import { shareOut, sum } from './embed-shares.js';
import { captureExactCost, holdWorstCase, voidAndGiveBack } from './hold-steps.js';
import { FREE, type Charge } from './payment.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { chargeAndRecord, recordFailedCall, type CallFacts } from './usage-event.js';

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

/**
 * Every `embed` field of one operation for one team, model and data class, as one saga in the
 * steps of DESIGN.md §3.5: policy decision → (cache) → rate limit → wallet hold → provider call
 * in batches (`embedMisses`) → capture, or void on failure → settle TPM → usage event. Texts are
 * de-duplicated across the fields and looked up in the team's cache; one hold covers them all.
 * (Some 70 lines: the steps read top to bottom in one place, as DESIGN.md lists them.)
 */
export async function embedGroup(
  deps: SagaDeps,
  ctx: SagaContext,
  fields: EmbedFieldRequest[],
): Promise<EmbeddingsResult[]> {
  const call = { callId: randomUUID(), kind: 'EMBEDDING' as const, started: deps.now() };
  try {
    return await embedGroupSteps(deps, ctx, fields, call);
  } catch (error) {
    await recordFailedCall(deps, ctx, { ...call, route: fields[0]!.model }, error);
    throw error;
  }
}

async function embedGroupSteps(
  deps: SagaDeps,
  ctx: SagaContext,
  fields: EmbedFieldRequest[],
  call: Pick<CallFacts, 'callId' | 'kind' | 'started'>,
): Promise<EmbeddingsResult[]> {
  const { model, dataClass } = fields[0]!;
  const plan = await planCall(deps, ctx, { model, dataClass, capability: 'EMBEDDING' });
  const unique = [...new Set(fields.flatMap((f) => f.texts))];
  const tokens = new Map(unique.map((text) => [text, countTokens(text)]));
  const tokensOf = (texts: string[]) => sum(texts.map((text) => tokens.get(text)!));
  const ordered = orderTargets(plan.route.strategy, plan.allowed, {
    latencyOf: (modelId) => deps.health.cachedLatency(modelId),
    estimate: { inputTokens: tokensOf(unique), outputTokens: 0 },
    random: deps.random,
  });
  const primary = ordered[0]!;
  const { vectors, misses, hits } = await lookUpVectors(deps, ctx, primary.model.id, unique);
  const texts = { fields, tokens, vectors };

  const settleTokens = await reserveRate(deps, ctx, plan.limits, {
    requests: fields.length,
    tokens: tokensOf(misses),
  });
  if (misses.length === 0 && !deps.settings.cacheHitsCharged) {
    await settleTokens(0);
    const answered = {
      usage: { inputTokens: 0, outputTokens: 0 },
      modelId: primary.model.id,
      priceVersion: primary.model.price!.version,
    };
    await chargeAndRecord(
      deps,
      ctx,
      Promise.resolve(FREE),
      { kind: 'embedding', ...answered, cached: true, shared: false },
      { ...call, route: plan.route.alias, providerId: null, cost: 0n, outcome: 'SUCCEEDED' },
    );
    return shareOut(texts, primary, FREE, { cached: new Set(unique), charged: new Set() }, []);
  }

  // Enough for every text at any target's price: a fallback model recomputes cached texts too.
  const inputBound = embeddingInputBound(unique);
  const payment = await holdWorstCase(deps, ctx, settleTokens, {
    targets: ordered,
    worstCaseOf: (t) => worstCaseCost(inputBound, 0, t.model.price!),
    ttlSeconds: callTimingOf(deps.settings, 0).holdTtlSeconds,
  });

  const run: EmbedRun = { target: primary, attempts: [], providerTokens: 0 };
  try {
    await embedMisses(deps, ordered, { misses, hits }, vectors, run);
  } catch (error) {
    return voidAndGiveBack(payment, settleTokens, error, run.attempts);
  }

  const { target } = run;
  const price = target.model.price!;
  const recomputed = target !== primary;
  const hitTokens = recomputed ? 0 : tokensOf(hits);
  const usage = {
    inputTokens: run.providerTokens + (deps.settings.cacheHitsCharged ? hitTokens : 0),
    outputTokens: 0,
  };
  const answered = { usage, modelId: target.model.id, priceVersion: price.version };
  const charge = await chargeAndRecord(
    deps,
    ctx,
    captureExactCost(payment, answered, price),
    { kind: 'embedding', ...answered, cached: false, shared: false },
    {
      ...call,
      route: plan.route.alias,
      providerId: target.model.provider.id,
      cost: costOf(usage, price),
      outcome: 'SUCCEEDED',
    },
  );
  await settleTokens(run.providerTokens);
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
  return shareOut(texts, target, charge, { cached, charged }, run.attempts);
}

/** Step "cache": the team's cached vectors of `texts` under `modelId`, and which texts missed. */
async function lookUpVectors(deps: SagaDeps, ctx: SagaContext, modelId: string, texts: string[]) {
  const fromCache = await deps.cache
    .getEmbeddings(ctx.teamId, modelId, texts)
    .catch(() => texts.map(() => null));
  const vectors = new Map<string, number[]>();
  texts.forEach((text, i) => fromCache[i] && vectors.set(text, fromCache[i]!));
  const misses = texts.filter((text) => !vectors.has(text));
  const hits = texts.filter((text) => vectors.has(text));
  return { vectors, misses, hits };
}
