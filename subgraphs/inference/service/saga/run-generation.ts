import { randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import type { CachedGeneration } from '../cache/response-cache.js';
import { chatPromptBound, costOf, expectedPromptTokens, worstCaseCost } from '../cost.js';
import type { Attempt } from '../routing/run-attempts.js';
import { decideChatCall, type ChatCall } from './chat-call.js';
import { chatRequestFor } from './chat-request.js';
import type { GenerateRequest, GenerationResult } from './generate.js';
import { captureExactCost, holdWorstCase, voidAndGiveBack } from './hold-steps.js';
import { amountOf, FREE, type Charge } from './payment.js';
import { callProviders } from './provider-calls.js';
import { reserveRate } from './rate-limit-step.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { chargeAndRecord, recordFailedCall } from './usage-event.js';

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
  /** The provider whose call answered (null for a cached answer). */
  providerId: string | null;
}

/** Which call this is, and when it began. */
interface CallStart {
  callId: string;
  started: number;
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
  const start: CallStart = { callId: randomUUID(), started: deps.now() };
  try {
    return await runGenerationSteps(deps, ctx, request, idempotencyBase, start);
  } catch (error) {
    await recordFailedCall(deps, ctx, { ...start, kind: 'CHAT', route: request.model }, error);
    throw error;
  }
}

async function runGenerationSteps(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  idempotencyBase: string | undefined,
  start: CallStart,
): Promise<GenerationResult> {
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
    const reply: ChatReply = { answer: hit, source: 'CACHE', attempts: [], providerId: null };
    return chargeAndAnswer(
      deps,
      ctx,
      call,
      reply,
      { charging: Promise.resolve(FREE), cost: 0n },
      start,
    );
  }

  const promptBound = chatPromptBound(request);
  const payment = await holdWorstCase(deps, ctx, settleTokens, {
    targets: call.ordered,
    worstCaseOf: (t) => worstCaseCost(promptBound, call.outputFor(t), t.model.price!),
    ttlSeconds: call.timing.holdTtlSeconds,
    idempotencyBase,
  });

  let reply: ChatReply;
  if (hit) reply = { answer: hit, source: 'CACHE', attempts: [], providerId: null };
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
  const price = priceOf(call.ordered, answer);
  const charging = pays
    ? captureExactCost(payment, answer, price)
    : payment.voidHold().then(() => FREE);
  // The answer does not wait for the tokens' settlement (it never throws): it is sent to the
  // store before the answer leaves, and the store applies it before anything sent after it.
  void charging.then(
    () => settleTokens(pays ? answer.usage.inputTokens + answer.usage.outputTokens : 0),
    () => undefined,
  );
  const cost = pays ? costOf(answer.usage, price) : 0n;
  return chargeAndAnswer(deps, ctx, call, reply, { charging, cost }, start);
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
    providerId: target.model.provider.id,
  };
}

/**
 * Steps "capture" (or void) and "usage event": the usage record is written while the ledger
 * charges, then the Generation the caller gets is made from what the ledger did.
 */
async function chargeAndAnswer(
  deps: SagaDeps,
  ctx: SagaContext,
  call: ChatCall,
  { answer, source, attempts, providerId }: ChatReply,
  { charging, cost }: { charging: Promise<Charge>; cost: bigint },
  { callId, started }: CallStart,
): Promise<GenerationResult> {
  const cached = source === 'CACHE';
  const shared = source === 'SHARED';
  const charge = await chargeAndRecord(
    deps,
    ctx,
    charging,
    { ...answer, cached, shared, kind: 'chat' },
    {
      callId,
      kind: 'CHAT',
      route: call.plan.route.alias,
      providerId,
      cost,
      started,
      outcome: 'SUCCEEDED',
    },
  );
  return {
    id: callId,
    route: call.plan.route.alias,
    latencyMs: deps.now() - started,
    createdAt: new Date().toISOString(),
    ...answer,
    cost: amountOf(charge).toString(),
    chargeStatus: charge.status,
    cached,
    shared,
    attempts,
    ...(ctx.prompt ? { prompt: ctx.prompt } : {}),
  };
}

function priceOf(targets: readonly ResolvedTarget[], answer: CachedGeneration) {
  const target = targets.find((t) => t.model.id === answer.modelId) ?? targets[0]!;
  return target.model.price!;
}
