import { randomUUID } from 'node:crypto';
import type { CachedGeneration } from '../cache/response-cache.js';
import { chatPromptBound, costOf, expectedPromptTokens, worstCaseCost } from '../cost.js';
import type { Attempt } from '../routing/run-attempts.js';
import type { ChatCall } from './chat-call.js';
import { decideChatCall } from './chat-call.js';
import { createEventChannel } from './event-channel.js';
import type { GenerateRequest, GenerationResult } from './generate.js';
import { captureExactCost, holdWorstCase, voidAndGiveBack } from './hold-steps.js';
import { shuttingDown, type LiveStreams } from './live-streams.js';
import { openProviderStream, type OpenedStream } from './open-provider-stream.js';
import { amountOf, FREE, type Charge, type Payment } from './payment.js';
import { reserveRate, type SettleTokens } from './rate-limit-step.js';
import { createReplyParts } from './reply-parts.js';
import { createRunningTokenCount } from './running-token-count.js';
import type { PromptUse, SagaContext, SagaDeps } from './saga-types.js';
import { forwardStream, type StreamEnd } from './forward-stream.js';
import { finalEventOf, replayOf, type StreamEvent } from './stream-events.js';
import type { StreamMetrics } from './stream-metrics.js';
import { takeStreamSlot, type StreamSlot, type StreamSlots } from './stream-slot.js';
import { chargeAndRecord, recordFailedCall } from './usage-event.js';

export interface StreamRun {
  /** The base of the hold keys when the request carries an idempotency key. */
  idempotencyBase: string | undefined;
  live: LiveStreams;
  slots: StreamSlots;
  metrics: StreamMetrics;
  /** Aborted when the client leaves before the stream has started: the provider call stops. */
  clientGone?: AbortSignal;
  /** Told the finished generation before its last event is sent (so a retry finds it). */
  onSettled(result: GenerationResult): Promise<void>;
}

/** What every step after the hold needs. */
interface Started {
  id: string;
  started: number;
  /** When the provider's first chunk came (the time to first token ends there). */
  firstTokenAt?: number;
  call: ChatCall;
  settleTokens: SettleTokens;
  slot: StreamSlot;
  /** Aborted when the server begins to stop before the stream has started. */
  shutdown: AbortSignal;
}

/**
 * One run of `generateStream`: the steps of `generate` (DESIGN.md §3.5, §3.7) up to the first
 * token run before this returns, so their refusals are thrown (policy decision → rate limit →
 * stream slot → cache → hold for the worst case → provider stream open with retries and fallback
 * until its first chunk). Then the returned events carry the deltas while the provider writes,
 * and the stream is settled exactly once however it ends (`settleStream`). A shutdown before the
 * first token stops these steps where they are: SERVICE_UNAVAILABLE, the hold voided.
 */
export async function runGenerationStream(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  run: StreamRun,
): Promise<AsyncIterableIterator<StreamEvent>> {
  const opening = run.live.open();
  try {
    return await openStream(deps, ctx, request, run, opening.signal);
  } finally {
    opening.done();
  }
}

async function openStream(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  run: StreamRun,
  shutdown: AbortSignal,
): Promise<AsyncIterableIterator<StreamEvent>> {
  const id = randomUUID();
  const started = deps.now();
  try {
    return await openStreamSteps(deps, ctx, request, run, { id, started, shutdown });
  } catch (error) {
    await recordFailedCall(
      deps,
      ctx,
      { callId: id, kind: 'STREAM', route: request.model, started },
      error,
    );
    throw error;
  }
}

async function openStreamSteps(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  run: StreamRun,
  { id, started, shutdown }: Pick<Started, 'id' | 'started' | 'shutdown'>,
): Promise<AsyncIterableIterator<StreamEvent>> {
  const call = await decideChatCall(deps, ctx, request);
  const settleTokens = await reserveRate(deps, ctx, call.plan.limits, {
    requests: 1,
    tokens: expectedPromptTokens(call.promptTokens) + call.maxTokens,
  });
  const slot = await takeStreamSlot(run.slots, ctx, call.plan.maxConcurrentStreams).catch(
    async (error: unknown) => {
      await settleTokens(0);
      throw error;
    },
  );
  const s: Started = { id, started, call, settleTokens, slot, shutdown };
  try {
    return await holdAndOpen(deps, ctx, request, run, s);
  } catch (error) {
    await slot.release();
    throw error;
  }
}

async function holdAndOpen(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
  run: StreamRun,
  s: Started,
): Promise<AsyncIterableIterator<StreamEvent>> {
  const { call, settleTokens } = s;
  const hit = call.cacheKey
    ? await deps.cache.getGeneration(call.cacheKey).catch(() => null)
    : null;
  if (hit && !deps.settings.cacheHitsCharged) {
    await settleTokens(0);
    return replayCached(ctx, deps, run, s, hit, { charging: Promise.resolve(FREE), cost: 0n });
  }
  if (s.shutdown.aborted) {
    await settleTokens(0);
    throw shuttingDown();
  }
  const payment = await holdWorstCase(deps, ctx, settleTokens, {
    targets: call.ordered,
    worstCaseOf: (t) => worstCaseCost(chatPromptBound(request), call.outputFor(t), t.model.price!),
    ttlSeconds: call.timing.holdTtlSeconds,
    idempotencyBase: run.idempotencyBase,
  });
  if (hit) {
    const price = (call.ordered.find((t) => t.model.id === hit.modelId) ?? call.ordered[0]!).model
      .price!;
    const charging = captureExactCost(payment, hit, price);
    const replay = await replayCached(ctx, deps, run, s, hit, {
      charging,
      cost: costOf(hit.usage, price),
    });
    await settleTokens(hit.usage.inputTokens + hit.usage.outputTokens);
    return replay;
  }
  const upstream = new AbortController();
  const stopUpstream = () => upstream.abort();
  run.clientGone?.addEventListener('abort', stopUpstream, { once: true });
  s.shutdown.addEventListener('abort', stopUpstream, { once: true });
  let opened: OpenedStream;
  try {
    opened = await openProviderStream(deps, call, request, upstream.signal);
    s.firstTokenAt = deps.now();
  } catch (error) {
    return voidAndGiveBack(payment, settleTokens, s.shutdown.aborted ? shuttingDown() : error);
  } finally {
    s.shutdown.removeEventListener('abort', stopUpstream);
  }
  // Shutdown began as the first chunk came: the client has been sent nothing, so nothing is owed.
  if (s.shutdown.aborted) {
    upstream.abort();
    void opened.rest.return?.().catch(() => undefined);
    return voidAndGiveBack(payment, settleTokens, shuttingDown());
  }
  return streamEvents(deps, ctx, run, s, { opened, upstream, payment });
}

/** A cached answer, replayed as a stream. */
async function replayCached(
  ctx: SagaContext,
  deps: SagaDeps,
  run: StreamRun,
  s: Started,
  hit: CachedGeneration,
  { charging, cost }: { charging: Promise<Charge>; cost: bigint },
) {
  const charge = await chargeAndRecord(
    deps,
    ctx,
    charging,
    { ...hit, cached: true, shared: false, kind: 'chat' },
    { ...callFacts(s, null, cost), outcome: 'SUCCEEDED' },
  );
  const result = resultOf(deps, s, hit, charge, [], true, ctx.prompt);
  await run.onSettled(result);
  await s.slot.release();
  run.metrics.settled.inc({ model: hit.modelId, finish_reason: hit.finishReason });
  return replayOf(result);
}

/**
 * The events of an open provider stream: deltas as they come (forwardStream), then the stream
 * settled and its last event. A client that leaves aborts the provider request at once.
 */
function streamEvents(
  deps: SagaDeps,
  ctx: SagaContext,
  run: StreamRun,
  s: Started,
  live: { opened: OpenedStream; upstream: AbortController; payment: Payment },
): AsyncIterableIterator<StreamEvent> {
  const pushed = createReplyParts();
  const streamed = createRunningTokenCount();
  const taken = createReplyParts();
  const stopped = { cancelled: false, shutdown: false };
  const channel = createEventChannel<StreamEvent>({
    onTake: (event) => {
      if (event.__typename === 'GenerationDelta') taken.add(event);
    },
    onReturn: () => {
      stopped.cancelled = true;
      live.upstream.abort();
    },
  });
  const produce = async () => {
    try {
      const end = await forwardStream(live.opened, {
        generationId: s.id,
        idleTimeoutMs: deps.settings.streamIdleTimeoutMs,
        upstream: live.upstream,
        stopped,
        emit: (delta) => {
          pushed.add(delta);
          return channel.push({
            __typename: 'GenerationDelta',
            generationId: s.id,
            ...delta,
            outputTokens: streamed.defer(delta),
          });
        },
        logger: ctx.logger,
      });
      // The client was sent only what it took when it left; otherwise all that was pushed.
      const delivered = end.outcome === 'CANCELLED' ? taken : pushed;
      const result = await settleStream(deps, ctx, s, live, end, delivered);
      run.metrics.settled.inc({ model: result.modelId, finish_reason: result.finishReason });
      await run.onSettled(result);
      await s.slot.release();
      if (end.outcome === 'COMPLETED') void channel.push(finalEventOf(result));
      else if (end.outcome !== 'CANCELLED') void channel.push(finalEventOf(result, end.outcome));
    } catch (error) {
      ctx.logger.error({ err: error, generationId: s.id }, 'stream not settled');
      await s.slot.release();
    } finally {
      channel.end();
    }
  };
  const settled = produce();
  channel.producedBy(settled);
  run.live.add(() => {
    stopped.shutdown = true;
    live.upstream.abort();
    // A slow reader must not hold shutdown: what is queued waits for it, the saga does not.
    channel.unblock();
  }, settled);
  return channel.iterator;
}

/**
 * Steps "capture", "settle TPM" and "usage event" of a stream, however it ended: the usage the
 * provider reported when it finished, else the prompt's tokens plus those of what was delivered.
 */
async function settleStream(
  deps: SagaDeps,
  ctx: SagaContext,
  s: Started,
  live: { opened: OpenedStream; payment: Payment },
  end: StreamEnd,
  delivered: ReturnType<typeof createReplyParts>,
): Promise<GenerationResult> {
  const { target, attempts } = live.opened;
  const toolCalls = delivered.toolCalls();
  const answer: CachedGeneration = {
    modelId: target.model.id,
    priceVersion: target.model.price!.version,
    text: delivered.text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason:
      end.outcome === 'COMPLETED'
        ? end.finishReason
        : end.outcome === 'CANCELLED'
          ? 'CANCELLED'
          : 'INTERRUPTED',
    usage: end.usage ?? {
      inputTokens: s.call.promptTokens,
      outputTokens: delivered.outputTokens(),
    },
  };
  const price = target.model.price!;
  const charge = await chargeAndRecord(
    deps,
    ctx,
    captureExactCost(live.payment, answer, price),
    { ...answer, cached: false, shared: false, kind: 'chat', finishReason: answer.finishReason },
    {
      ...callFacts(s, target.model.provider.id, costOf(answer.usage, price)),
      outcome: OUTCOME_OF[end.outcome],
    },
  );
  await s.settleTokens(answer.usage.inputTokens + answer.usage.outputTokens);
  if (end.outcome === 'COMPLETED' && s.call.cacheKey) {
    await deps.cache.putGeneration(s.call.cacheKey, answer).catch(() => undefined);
  }
  return resultOf(deps, s, answer, charge, attempts, false, ctx.prompt);
}

/** How a stream's end is recorded: one broken off (or stopped by shutdown) failed. */
const OUTCOME_OF = {
  COMPLETED: 'SUCCEEDED',
  CANCELLED: 'CANCELLED',
  INTERRUPTED: 'FAILED',
  SHUTDOWN: 'FAILED',
} as const;

/** The usage record's facts of stream `s`. */
function callFacts(s: Started, providerId: string | null, cost: bigint) {
  return {
    callId: s.id,
    kind: 'STREAM' as const,
    route: s.call.plan.route.alias,
    providerId,
    cost,
    started: s.started,
    firstTokenAt: s.firstTokenAt,
  };
}

function resultOf(
  deps: SagaDeps,
  s: Started,
  answer: CachedGeneration,
  charge: Charge,
  attempts: Attempt[],
  cached: boolean,
  prompt: PromptUse | undefined,
): GenerationResult {
  return {
    id: s.id,
    route: s.call.plan.route.alias,
    latencyMs: deps.now() - s.started,
    createdAt: new Date().toISOString(),
    ...answer,
    cost: amountOf(charge).toString(),
    chargeStatus: charge.status,
    cached,
    shared: false,
    attempts,
    ...(prompt ? { prompt } : {}),
  };
}
