import { createHash, randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../../../lib/catalog/resolved-route.js';
import { codedError, conflict } from '../../../lib/errors.js';
import { fingerprintOf } from '../cache/idempotency.js';
import type { CachedGeneration } from '../cache/response-cache.js';
import { costOf, promptTokenBound, worstCaseCost } from '../cost.js';
import { countChatTokens } from '../providers/token-count.js';
import type { ChatMessage, ChatResult } from '../providers/types.js';
import { orderTargets } from '../routing/order-targets.js';
import type { Attempt } from '../routing/run-attempts.js';
import { planCall } from './call-plan.js';
import { createPayment } from './payment.js';
import { abandonCall, callProviders } from './provider-calls.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { recordUsage } from './usage-event.js';

export interface GenerateRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number | undefined;
  dataClass: string;
  idempotencyKey: string | undefined;
}

/** A finished generation: what `Generation` shows, and what an idempotent retry gets again. */
export interface GenerationResult {
  id: string;
  route: string;
  modelId: string;
  priceVersion: number;
  text: string;
  finishReason: ChatResult['finishReason'];
  usage: ChatResult['usage'];
  /** µcr charged, as a decimal string. */
  cost: string;
  cached: boolean;
  latencyMs: number;
  attempts: Attempt[];
  createdAt: string;
}

/**
 * One `generate` call, as the saga of DESIGN.md §3.5: idempotency claim → route and policy →
 * rate-limit reserve → cache → wallet hold for the worst case → provider attempts (retries,
 * fallback) → capture the exact cost or void → settle tokens → usage event. Every provider call
 * happens under a hold; every failure voids it.
 */
export async function generate(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
): Promise<GenerationResult> {
  const key = request.idempotencyKey;
  if (key === undefined) return run(deps, ctx, request, randomUUID());
  const fingerprint = fingerprintOf({ ...request, teamId: ctx.teamId });
  const claim = await deps.idempotency.claim<GenerationResult>(ctx.teamId, key, fingerprint);
  if (claim.kind === 'DONE') return claim.result;
  if (claim.kind === 'MISMATCH') {
    throw codedError(
      'IDEMPOTENCY_CONFLICT',
      'This idempotency key was used for a different request.',
    );
  }
  if (claim.kind === 'IN_PROGRESS') {
    throw conflict('A request with this idempotency key is still running; retry shortly.', {
      retryAfterSeconds: 1,
    });
  }
  try {
    const requestKey = createHash('sha256').update(`${ctx.teamId}\n${key}`).digest('hex');
    const result = await run(deps, ctx, request, requestKey);
    await deps.idempotency.complete(ctx.teamId, key, fingerprint, result);
    return result;
  } catch (error) {
    await deps.idempotency.release(ctx.teamId, key).catch(() => undefined);
    throw error;
  }
}

async function run(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  requestKey: string,
): Promise<GenerationResult> {
  const started = deps.now();
  const plan = await planCall(deps, ctx, { ...request, capability: 'CHAT' });
  const promptTokens = countChatTokens(request.messages);
  const outputFor = (t: ResolvedTarget) =>
    Math.min(request.maxTokens, t.model.maxOutputTokens ?? request.maxTokens);
  const fitting = plan.allowed.filter((t) => promptTokens + outputFor(t) <= t.model.contextWindow);
  if (fitting.length === 0) {
    throw codedError(
      'BAD_USER_INPUT',
      `The prompt (${promptTokens} tokens) and maxTokens exceed the model's context window.`,
      { field: 'maxTokens', promptTokens },
    );
  }
  const ordered = orderTargets(plan.route.strategy, fitting, {
    latencyOf: (modelId) => deps.health.cachedLatency(modelId),
    estimate: { inputTokens: promptTokens, outputTokens: request.maxTokens },
    random: deps.random,
  });

  const settle = await reserveRate(deps, ctx, plan.limits, {
    requests: 1,
    tokens: promptTokenBound(promptTokens) + request.maxTokens,
  });
  const result = (fields: Omit<GenerationResult, 'id' | 'route' | 'latencyMs' | 'createdAt'>) => ({
    id: randomUUID(),
    route: plan.route.alias,
    latencyMs: deps.now() - started,
    createdAt: new Date().toISOString(),
    ...fields,
  });

  const deterministic = request.temperature === 0;
  const cacheKey = deterministic
    ? deps.cache.generationKey({
        route: plan.route.alias,
        versions: ordered.map((t) => `${t.model.id}@${t.model.price?.version}`),
        messages: request.messages,
        maxTokens: request.maxTokens,
        temperature: 0,
      })
    : undefined;
  const hit = cacheKey ? await deps.cache.getGeneration(cacheKey).catch(() => null) : null;
  if (hit && !deps.settings.cacheHitsCharged) {
    await settle(0);
    recordUsage(ctx, { ...hit, cost: 0n, cached: true, kind: 'chat' }, deps.usageMetrics);
    return result({ ...hit, cost: '0', cached: true, attempts: [] });
  }

  const payment = createPayment(deps, ctx);
  const first = ordered[0]!;
  const hold = await payment
    .hold({
      requestKey,
      amount: ordered.reduce((most, t) => {
        const cost = worstCaseCost(promptTokens, outputFor(t), t.model.price!);
        return cost > most ? cost : most;
      }, 0n),
      modelId: first.model.id,
      priceVersion: first.model.price!.version,
    })
    .catch(async (error) => {
      await settle(0);
      throw error;
    });
  if (hold.status !== 'PENDING') {
    // The wallet already resolved a hold under this request's key: an earlier run of this
    // idempotent request finished, but its answer was lost. Never call the provider twice.
    await settle(0);
    throw codedError(
      'IDEMPOTENCY_CONFLICT',
      'This request was already processed, but its answer is no longer available.',
    );
  }

  // Charge a shared or cached answer as the call it stands for.
  const charge = async (answer: CachedGeneration, cached: boolean, attempts: Attempt[]) => {
    const cost = costOf(answer.usage, priceOf(ordered, answer));
    if (cached && !deps.settings.cacheHitsCharged) {
      await payment.void(hold);
      await settle(0);
      recordUsage(ctx, { ...answer, cost: 0n, cached, kind: 'chat' }, deps.usageMetrics);
      return result({ ...answer, cost: '0', cached, attempts });
    }
    await payment.capture(hold, { requestKey, amount: cost, ...answer });
    await settle(answer.usage.inputTokens + answer.usage.outputTokens);
    recordUsage(ctx, { ...answer, cost, cached, kind: 'chat' }, deps.usageMetrics);
    return result({ ...answer, cost: cost.toString(), cached, attempts });
  };
  if (hit) return charge(hit, true, []);

  const call = () =>
    callProviders(deps, ordered, (adapter, target, signal) =>
      adapter.chat(
        {
          model: target.model.providerModel,
          messages: request.messages,
          maxTokens: outputFor(target),
          temperature: request.temperature,
        },
        { signal },
      ),
    );

  let outcome;
  try {
    outcome = cacheKey
      ? await deps.flights.run(cacheKey, call)
      : { value: await call(), shared: false };
  } catch (error) {
    return abandonCall(payment, hold, settle, error);
  }
  const { value, target, attempts } = outcome.value;
  const answer: CachedGeneration = {
    modelId: target.model.id,
    priceVersion: target.model.price!.version,
    text: value.text,
    finishReason: value.finishReason,
    usage: value.usage,
  };
  if (outcome.shared) return charge(answer, true, []);
  if (cacheKey) await deps.cache.putGeneration(cacheKey, answer).catch(() => undefined);
  return charge(answer, false, attempts);
}

function priceOf(targets: readonly ResolvedTarget[], answer: CachedGeneration) {
  const target = targets.find((t) => t.model.id === answer.modelId) ?? targets[0]!;
  return target.model.price!;
}
