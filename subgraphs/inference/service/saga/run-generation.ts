import { randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import type { CachedGeneration } from '../cache/response-cache.js';
import { chatPromptBound, expectedPromptTokens, worstCaseCost } from '../cost.js';
import type { Attempt } from '../routing/run-attempts.js';
import { decideChatCall, type ChatCall } from './chat-call.js';
import { chatRequestFor } from './chat-request.js';
import type { GenerateRequest, GenerationResult } from './generate.js';
import { captureExactCost, holdWorstCase, voidAndGiveBack } from './hold-steps.js';
import { amountOf, FREE, type Charge } from './payment.js';
import { callProviders } from './provider-calls.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { recordUsage } from './usage-event.js';

/** Where a generation's answer came from. */
type AnswerSource =
  /** A provider call this request made. */
  | 'PROVIDER'
  /** The team's response cache. */
  | 'CACHE'
  /** An identical call running at the same time, whose provider call this request shared. */
  | 'SHARED';

interface ChatReply {
  answer: CachedGeneration;
  source: AnswerSource;
  /** The provider attempts this request made itself (none for a cached or shared answer). */
  attempts: Attempt[];
}

/**
 * One run of `generate`, in the steps of DESIGN.md §3.5: policy decision → rate limit → (cache)
 * → wallet hold → provider call → capture or void → settle TPM → usage event. Every provider
 * call happens under a hold; a failure voids it and gives back the reserved tokens.
 */
export async function runGeneration(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  idempotencyBase: string | undefined,
): Promise<GenerationResult> {
  const started = deps.now();
  const call = await decideChatCall(deps, ctx, request);
  const settleTokens = await reserveRate(deps, ctx, call.plan.limits, {
    requests: 1,
    tokens: expectedPromptTokens(call.promptTokens) + call.maxTokens,
  });

  const hit = call.cacheKey
    ? await deps.cache.getGeneration(call.cacheKey).catch(() => null)
    : null;
  if (hit && !deps.settings.cacheHitsCharged) {
    await settleTokens(0);
    const reply: ChatReply = { answer: hit, source: 'CACHE', attempts: [] };
    return recordUsageAndAnswer(ctx, deps, call, reply, FREE, started);
  }

  const promptBound = chatPromptBound(request);
  const payment = await holdWorstCase(deps, ctx, settleTokens, {
    targets: call.ordered,
    worstCaseOf: (t) => worstCaseCost(promptBound, call.outputFor(t), t.model.price!),
    ttlSeconds: call.timing.holdTtlSeconds,
    idempotencyBase,
  });

  let reply: ChatReply;
  if (hit) reply = { answer: hit, source: 'CACHE', attempts: [] };
  else {
    try {
      reply = await callChatProviders(deps, call, request);
    } catch (error) {
      return voidAndGiveBack(payment, settleTokens, error);
    }
    if (reply.source === 'PROVIDER' && call.cacheKey) {
      await deps.cache.putGeneration(call.cacheKey, reply.answer).catch(() => undefined);
    }
  }

  // Capture or void: the request whose call reached the provider pays (as does a charged cache
  // hit); one that shared another's answer pays only where cache hits are charged.
  const pays = reply.source !== 'SHARED' || deps.settings.cacheHitsCharged;
  const { answer } = reply;
  const charge = pays
    ? await captureExactCost(payment, answer, priceOf(call.ordered, answer))
    : await payment.voidHold().then(() => FREE);
  // The answer does not wait for the tokens' settlement (it never throws): it is sent to the
  // store before the answer leaves, and the store applies it before anything sent after it.
  void settleTokens(pays ? answer.usage.inputTokens + answer.usage.outputTokens : 0);
  return recordUsageAndAnswer(ctx, deps, call, reply, charge, started);
}

/**
 * Step "provider call": the targets in order, with retries and fallback. A deterministic call
 * (one with a cache key) shares the provider call of an identical one already running.
 */
async function callChatProviders(
  deps: SagaDeps,
  call: ChatCall,
  request: GenerateRequest,
): Promise<ChatReply> {
  const run = () =>
    callProviders(deps, call.ordered, call.timing, (adapter, target, signal) =>
      adapter.chat(chatRequestFor(request, call, target), { signal }),
    );
  const outcome = call.cacheKey
    ? await deps.flights.run(call.cacheKey, run)
    : { value: await run(), shared: false };
  const { value, target, attempts } = outcome.value;
  return {
    answer: {
      modelId: target.model.id,
      priceVersion: target.model.price!.version,
      text: value.text,
      toolCalls: value.toolCalls ?? [],
      finishReason: value.finishReason,
      usage: value.usage,
    },
    source: outcome.shared ? 'SHARED' : 'PROVIDER',
    attempts: outcome.shared ? [] : attempts,
  };
}

/** Step "usage event": logs and counts the call, then makes the Generation the caller gets. */
function recordUsageAndAnswer(
  ctx: SagaContext,
  deps: SagaDeps,
  call: ChatCall,
  { answer, source, attempts }: ChatReply,
  charge: Charge,
  started: number,
): GenerationResult {
  const cached = source === 'CACHE';
  const shared = source === 'SHARED';
  recordUsage(ctx, { ...answer, charge, cached, shared, kind: 'chat' }, deps.usageMetrics);
  return {
    id: randomUUID(),
    route: call.plan.route.alias,
    latencyMs: deps.now() - started,
    createdAt: new Date().toISOString(),
    ...answer,
    cost: amountOf(charge).toString(),
    chargeStatus: charge.status,
    cached,
    shared,
    attempts,
  };
}

function priceOf(targets: readonly ResolvedTarget[], answer: CachedGeneration) {
  const target = targets.find((t) => t.model.id === answer.modelId) ?? targets[0]!;
  return target.model.price!;
}
