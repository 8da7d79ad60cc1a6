import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { badUserInput, codedError } from '../../../../lib/errors.js';
import { countChatTokens } from '../../providers/token-count.js';
import { orderTargets } from '../routing/order-targets.js';
import { callTimingOf, type CallTiming } from '../timing.js';
import { planCall, type CallPlan } from './call-plan.js';
import { keepCapableTargets } from './chat-capabilities.js';
import type { GenerateRequest } from './generate.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

/** Tokens to generate when the caller names no maxTokens (or the model's limit, if lower). */
export const DEFAULT_MAX_TOKENS = 1024;

/** A chat call as decided before anything is reserved: where it may go and how big it may get. */
export interface ChatCall {
  plan: CallPlan;
  /** The allowed targets that fit the prompt and output, in the order they are tried. */
  ordered: ResolvedTarget[];
  promptTokens: number;
  maxTokens: number;
  /** The output a target is asked for: maxTokens, or the target's own limit if lower. */
  outputFor(target: ResolvedTarget): number;
  timing: CallTiming;
  /** Deterministic calls (temperature 0) only: the key of their cached answer and shared flight. */
  cacheKey: string | undefined;
}

/**
 * Step "policy decision" of a chat call: the route and the targets the team may use (catalog and
 * policy), narrowed to those that fit the prompt and output, in the route strategy's order.
 * Refuses with NOT_FOUND, BAD_USER_INPUT or MODEL_NOT_ALLOWED.
 */
export async function decideChatCall(
  deps: SagaDeps,
  ctx: SagaContext,
  request: GenerateRequest,
): Promise<ChatCall> {
  const plan = await planCall(deps, ctx, { ...request, capability: 'CHAT' });
  const capable = keepCapableTargets(plan.allowed, request, request.model);
  const { promptTokens, maxTokens, outputFor, fitting } = sizeChat(capable, request);
  const ordered = orderTargets(plan.route.strategy, fitting, {
    latencyOf: (modelId) => deps.health.cachedLatency(modelId),
    estimate: { inputTokens: promptTokens, outputTokens: maxTokens },
    random: deps.random,
  });
  const cacheKey =
    request.temperature === 0
      ? deps.cache.generationKey({
          teamId: ctx.teamId,
          route: plan.route.alias,
          versions: ordered.map((t) => `${t.model.id}@${t.model.price?.version}`),
          messages: request.messages,
          maxTokens,
          temperature: 0,
          tools: request.tools,
          toolChoice: request.toolChoice,
          responseFormat: request.responseFormat,
        })
      : undefined;
  const timing = callTimingOf(deps.settings, maxTokens);
  return { plan, ordered, promptTokens, maxTokens, outputFor, timing, cacheKey };
}

/** The prompt's size, the output asked for, and the targets that can take both. */
function sizeChat(targets: readonly ResolvedTarget[], request: GenerateRequest) {
  const promptTokens = countChatTokens(request.messages, request);
  const limits = targets.map((t) => t.model.maxOutputTokens ?? Number.POSITIVE_INFINITY);
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
  const fitting = targets.filter((t) => promptTokens + outputFor(t) <= t.model.contextWindow);
  if (fitting.length === 0) {
    throw codedError(
      'BAD_USER_INPUT',
      `The prompt (${promptTokens} tokens) and maxTokens exceed the model's context window.`,
      { field: 'maxTokens', promptTokens },
    );
  }
  return { promptTokens, maxTokens, outputFor, fitting };
}
