import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { badUserInput, codedError, conflict } from '../../../../lib/errors.js';
import { fingerprintOf } from '../cache/idempotency.js';
import type { CachedGeneration } from '../cache/response-cache.js';
import { chatPromptBound, costOf, expectedPromptTokens, worstCaseCost } from '../cost.js';
import { countChatTokens } from '../../providers/token-count.js';
import type { ChatMessage, ChatResult } from '../../providers/types.js';
import { orderTargets } from '../routing/order-targets.js';
import type { Attempt } from '../routing/run-attempts.js';
import { callTimingOf } from '../timing.js';
import { planCall, type CallPlan } from './call-plan.js';
import { amountOf, FREE, reserveCredits, type Charge } from './payment.js';
import { abandonCall, callProviders } from './provider-calls.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { recordUsage } from './usage-event.js';

/** Tokens to generate when the caller names no maxTokens (or the model's limit, if lower). */
export const DEFAULT_MAX_TOKENS = 1024;

export interface GenerateRequest {
  model: string;
  messages: ChatMessage[];
  /** The most tokens to generate; undefined: the default, within the models' limits. */
  maxTokens: number | undefined;
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
  /** µcr the ledger charged (or is being asked to, while PENDING), as a decimal string. */
  cost: string;
  chargeStatus: Charge['status'];
  cached: boolean;
  latencyMs: number;
  attempts: Attempt[];
  createdAt: string;
}

/**
 * One `generate` call, as the saga of DESIGN.md §3.5: idempotency claim → route and policy →
 * rate-limit reserve → cache → wallet hold for the worst case → provider attempts (retries,
 * fallback) → capture the exact cost or release the hold → settle tokens → usage event. Every
 * provider call happens under a hold; every failure releases it.
 */
export async function generate(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
): Promise<GenerationResult> {
  const key = request.idempotencyKey;
  if (key === undefined) return runGeneration(deps, ctx, request, undefined);
  const fingerprint = fingerprintOf({ ...request, teamId: ctx.teamId });
  // The claim lives as long as the longest hold a run of this request can take.
  const longest = callTimingOf(deps.settings, request.maxTokens ?? DEFAULT_MAX_TOKENS);
  const claim = await deps.idempotency.claim<GenerationResult>(
    ctx.teamId,
    key,
    fingerprint,
    longest.holdTtlSeconds * 1000,
  );
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
  let result: GenerationResult;
  try {
    const base = createHash('sha256').update(`${ctx.teamId}\n${key}`).digest('hex');
    result = await runGeneration(deps, ctx, request, base);
  } catch (error) {
    await deps.idempotency.release(ctx.teamId, key).catch(() => undefined);
    throw error;
  }
  await keepAnswer(deps, ctx, key, fingerprint, result);
  return result;
}

/**
 * Stores a charged answer for retries of its key. A store that fails is logged, never turned into
 * an error: the caller was charged, so it gets its answer.
 */
async function keepAnswer(
  deps: SagaDeps,
  ctx: SagaContext,
  key: string,
  fingerprint: string,
  result: GenerationResult,
) {
  let failure: unknown;
  for (const wait of [0, 50, 200, 800]) {
    if (wait > 0) await sleep(wait);
    try {
      await deps.idempotency.complete(ctx.teamId, key, fingerprint, result);
      return;
    } catch (error) {
      failure = error;
    }
  }
  ctx.logger.error(
    { err: failure, generationId: result.id },
    'answer not kept for retries: a retry of this key will find it charged and be refused',
  );
}

/** The prompt's size, the output asked for, and the targets that can take both. */
function sizeChat(plan: CallPlan, request: GenerateRequest) {
  const promptTokens = countChatTokens(request.messages);
  const limits = plan.allowed.map((t) => t.model.maxOutputTokens ?? Number.POSITIVE_INFINITY);
  const largest = Math.max(...limits);
  const maxTokens = request.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, largest);
  if (maxTokens > largest) {
    throw badUserInput(
      `maxTokens ${maxTokens} is above the model's limit of ${largest} output tokens.`,
      { field: 'maxTokens', limit: largest },
    );
  }
  const outputFor = (t: ResolvedTarget) =>
    Math.min(maxTokens, t.model.maxOutputTokens ?? maxTokens);
  const fitting = plan.allowed.filter((t) => promptTokens + outputFor(t) <= t.model.contextWindow);
  if (fitting.length === 0) {
    throw codedError(
      'BAD_USER_INPUT',
      `The prompt (${promptTokens} tokens) and maxTokens exceed the model's context window.`,
      { field: 'maxTokens', promptTokens },
    );
  }
  return { promptTokens, maxTokens, outputFor, fitting };
}

async function runGeneration(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  idempotencyBase: string | undefined,
): Promise<GenerationResult> {
  const started = deps.now();
  const plan = await planCall(deps, ctx, { ...request, capability: 'CHAT' });
  const { promptTokens, maxTokens, outputFor, fitting } = sizeChat(plan, request);
  const ordered = orderTargets(plan.route.strategy, fitting, {
    latencyOf: (modelId) => deps.health.cachedLatency(modelId),
    estimate: { inputTokens: promptTokens, outputTokens: maxTokens },
    random: deps.random,
  });
  const timing = callTimingOf(deps.settings, maxTokens);

  const settle = await reserveRate(deps, ctx, plan.limits, {
    requests: 1,
    tokens: expectedPromptTokens(promptTokens) + maxTokens,
  });
  const answerWith = (
    answer: CachedGeneration,
    charge: Charge,
    cached: boolean,
    attempts: Attempt[],
  ) => {
    recordUsage(ctx, { ...answer, charge, cached, kind: 'chat' }, deps.usageMetrics);
    return {
      id: randomUUID(),
      route: plan.route.alias,
      latencyMs: deps.now() - started,
      createdAt: new Date().toISOString(),
      ...answer,
      cost: amountOf(charge).toString(),
      chargeStatus: charge.status,
      cached,
      attempts,
    };
  };

  const cacheKey =
    request.temperature === 0
      ? deps.cache.generationKey({
          teamId: ctx.teamId,
          route: plan.route.alias,
          versions: ordered.map((t) => `${t.model.id}@${t.model.price?.version}`),
          messages: request.messages,
          maxTokens,
          temperature: 0,
        })
      : undefined;
  const hit = cacheKey ? await deps.cache.getGeneration(cacheKey).catch(() => null) : null;
  if (hit && !deps.settings.cacheHitsCharged) {
    await settle(0);
    return answerWith(hit, FREE, true, []);
  }

  const first = ordered[0]!;
  const promptBound = chatPromptBound(request.messages);
  const payment = await reserveCredits(deps, ctx, {
    amount: ordered.reduce((most, t) => {
      const cost = worstCaseCost(promptBound, outputFor(t), t.model.price!);
      return cost > most ? cost : most;
    }, 0n),
    modelId: first.model.id,
    priceVersion: first.model.price!.version,
    ttlSeconds: timing.holdTtlSeconds,
    idempotencyBase,
  }).catch(async (error) => {
    await settle(0);
    throw error;
  });

  /** Charges an answer as the call it stands for: the exact cost at its model's price. */
  const captureAndAnswer = async (
    answer: CachedGeneration,
    cached: boolean,
    attempts: Attempt[],
  ) => {
    const charge = await payment.capture({
      ...answer,
      amount: costOf(answer.usage, priceOf(ordered, answer)),
    });
    await settle(answer.usage.inputTokens + answer.usage.outputTokens);
    return answerWith(answer, charge, cached, attempts);
  };
  if (hit) return captureAndAnswer(hit, true, []);

  const call = () =>
    callProviders(deps, ordered, timing, (adapter, target, signal) =>
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
    return abandonCall(payment, settle, error);
  }
  const { value, target, attempts } = outcome.value;
  const answer: CachedGeneration = {
    modelId: target.model.id,
    priceVersion: target.model.price!.version,
    text: value.text,
    finishReason: value.finishReason,
    usage: value.usage,
  };
  if (outcome.shared) {
    // The caller whose request reached the provider pays; the others share its answer.
    if (deps.settings.cacheHitsCharged) return captureAndAnswer(answer, true, []);
    await payment.release();
    await settle(0);
    return answerWith(answer, FREE, true, []);
  }
  if (cacheKey) await deps.cache.putGeneration(cacheKey, answer).catch(() => undefined);
  return captureAndAnswer(answer, false, attempts);
}

function priceOf(targets: readonly ResolvedTarget[], answer: CachedGeneration) {
  const target = targets.find((t) => t.model.id === answer.modelId) ?? targets[0]!;
  return target.model.price!;
}
