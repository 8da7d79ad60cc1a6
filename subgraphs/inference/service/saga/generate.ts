import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { codedError, conflict } from '../../../../lib/errors.js';
import { unavailable } from '../../../../lib/service-client.js';
import type {
  ChatMessage,
  ChatResult,
  ResponseFormat,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../../providers/types.js';
import { fingerprintOf } from '../cache/idempotency.js';
import type { Attempt } from '../routing/run-attempts.js';
import { callTimingOf } from '../timing.js';
import { DEFAULT_MAX_TOKENS } from './chat-call.js';
import { flowSpendKey } from './flow-step-payment.js';
import type { Charge } from './payment.js';
import { runGeneration } from './run-generation.js';
import type { PromptUse, SagaContext, SagaDeps } from './saga-types.js';

export { DEFAULT_MAX_TOKENS };

export interface GenerateRequest {
  model: string;
  messages: ChatMessage[];
  /** The most tokens to generate; undefined: the default, within the models' limits. */
  maxTokens: number | undefined;
  temperature: number | undefined;
  dataClass: string;
  idempotencyKey: string | undefined;
  /** Tools the model may call: only targets with the TOOLS capability are used. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** JSON_OBJECT needs JSON_MODE, JSON_SCHEMA needs STRUCTURED_OUTPUT; absent: free text. */
  responseFormat?: ResponseFormat;
}

/** A finished generation: what `Generation` shows, and what an idempotent retry gets again. */
export interface GenerationResult {
  id: string;
  route: string;
  modelId: string;
  priceVersion: number;
  text: string;
  /** The tools the model called; absent on answers kept before tools existed. */
  toolCalls?: ToolCall[];
  finishReason: ChatResult['finishReason'];
  usage: ChatResult['usage'];
  /** µcr the ledger charged (or is being asked to, while PENDING), as a decimal string. */
  cost: string;
  chargeStatus: Charge['status'];
  /** True when the response cache answered. */
  cached: boolean;
  /** True when an identical call running at the same time answered (its provider call shared). */
  shared: boolean;
  latencyMs: number;
  attempts: Attempt[];
  createdAt: string;
  /** The team prompt the call rendered; absent when it sent its own messages. */
  prompt?: PromptUse;
}

/**
 * One `generate` call: under an idempotency key, the key is claimed first, a retry of a finished
 * call gets its answer again, and a run that fails frees the key; the run itself is the saga of
 * DESIGN.md §3.5 (`runGeneration`).
 */
export async function generate(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
): Promise<GenerationResult> {
  const claim = await claimIdempotencyKey(deps, ctx, request);
  if (claim.kind === 'NONE') return runGeneration(deps, ctx, request, undefined);
  if (claim.kind === 'DONE') return claim.result;
  let result: GenerationResult;
  try {
    result = await runGeneration(deps, ctx, request, claim.base);
  } catch (error) {
    await claim.release();
    throw error;
  }
  await claim.keep(result);
  return result;
}

/** A request's idempotency key, claimed for one run (`generate` and `generateStream` alike). */
export type KeyClaim =
  /** The request has no key. */
  | { kind: 'NONE' }
  /** A run under this key finished: its answer, to return again. */
  | { kind: 'DONE'; result: GenerationResult }
  /** This run owns the key: `keep` its answer, or `release` the key when it charged nothing. */
  | {
      kind: 'NEW';
      /** The base of the run's hold keys. */
      base: string;
      keep(result: GenerationResult): Promise<void>;
      release(): Promise<void>;
    };

/**
 * Claims the request's idempotency key: refuses IDEMPOTENCY_CONFLICT (another request used it),
 * CONFLICT (a run under it is still going) or SERVICE_UNAVAILABLE (the store cannot be reached).
 */
export async function claimIdempotencyKey(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
): Promise<KeyClaim> {
  // A flow step sent again (a retry, a resumed run) is the same call: its step is its key.
  const key =
    request.idempotencyKey ?? (ctx.flowStep ? flowSpendKey(ctx.flowStep.stepKey) : undefined);
  if (key === undefined) return { kind: 'NONE' };
  // A prompt's id and version are part of the request: the same key with another version is
  // another request, even when both render the same messages. So is the hold a step pays from.
  const fingerprint = fingerprintOf({
    ...request,
    teamId: ctx.teamId,
    ...(ctx.prompt ? { prompt: ctx.prompt } : {}),
    ...(ctx.flowStep ? { flowStep: ctx.flowStep } : {}),
  });
  // The claim lives as long as the longest hold a run of this request can take.
  const longest = callTimingOf(deps.settings, request.maxTokens ?? DEFAULT_MAX_TOKENS);
  // An unreachable store refuses the call, even with rate limits failing open (decision 74):
  // running it unclaimed would let a retry of the key pay twice.
  const claim = await deps.idempotency
    .claim<GenerationResult>(ctx.teamId, key, fingerprint, longest.holdTtlSeconds * 1000)
    .catch((error: unknown) => {
      ctx.logger.error({ err: error }, 'idempotency store unavailable; refusing the call');
      throw unavailable('The idempotency key store');
    });
  if (claim.kind === 'DONE') return claim;
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
  return {
    kind: 'NEW',
    base: createHash('sha256').update(`${ctx.teamId}\n${key}`).digest('hex'),
    keep: (result) => keepAnswer(deps, ctx, key, fingerprint, result),
    release: () => deps.idempotency.release(ctx.teamId, key).catch(() => undefined),
  };
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
