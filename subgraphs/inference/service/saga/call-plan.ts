import type { ResolvedRoute, ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { badUserInput, codedError, notFound } from '../../../../lib/errors.js';
import { limitsOf } from '../../../../lib/policy/access-decision-loader.js';
import type { Limits } from '../../../../lib/rate-limit/index.js';
import { timedStep } from './saga-metrics.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

export interface CallPlan {
  route: ResolvedRoute;
  /** The targets the team may call, in the route's order. */
  allowed: ResolvedTarget[];
  /** The team's rate limits, as policy gave them with its decisions. */
  limits: Limits;
  /** The team's limit on streams open at once; null: unlimited. */
  maxConcurrentStreams: number | null;
}

/**
 * The first steps of every call: what the `model` argument names (catalog), which of its targets
 * can do the job and are alive, and which of those the team may send this data to (policy, one
 * batched request per operation). Refuses with NOT_FOUND, BAD_USER_INPUT or MODEL_NOT_ALLOWED.
 */
export function planCall(
  deps: SagaDeps,
  ctx: SagaContext,
  request: { model: string; capability: 'CHAT' | 'EMBEDDING'; dataClass: string },
): Promise<CallPlan> {
  return timedStep(deps.sagaMetrics, 'plan', () => planSteps(deps, ctx, request));
}

async function planSteps(
  deps: SagaDeps,
  ctx: SagaContext,
  request: { model: string; capability: 'CHAT' | 'EMBEDDING'; dataClass: string },
): Promise<CallPlan> {
  const { route, suggestions } = await deps.catalog.lookup(request.model, ctx.requestId);
  if (!route) throw notFound('Model or route', request.model, suggestions);
  const usable = route.targets.filter(
    (t) =>
      t.model.status !== 'RETIRED' &&
      t.model.price !== null &&
      t.model.capabilities.includes(request.capability),
  );
  if (usable.length === 0) {
    throw badUserInput(
      `"${request.model}" has no usable model with the ${request.capability} capability.`,
      { field: 'model' },
    );
  }
  const decisions = await ctx.decisions.loadMany(
    usable.map((t) => ({
      teamId: ctx.teamId,
      modelId: t.model.id,
      providerId: t.model.provider.id,
      capabilities: t.model.capabilities,
      tags: t.model.tags,
      modelClassification: t.model.dataClassification,
      dataClass: request.dataClass,
    })),
  );
  const answers = decisions.map((d) => {
    if (d instanceof Error) throw d;
    return d;
  });
  const allowed = usable.filter((_t, i) => answers[i]?.allowed);
  if (allowed.length === 0) {
    throw codedError(
      'MODEL_NOT_ALLOWED',
      `Your team may not use "${request.model}" for ${request.dataClass} data.`,
      { reason: answers[0]?.reason ?? null },
    );
  }
  const { quota } = answers[0]!;
  return {
    route,
    allowed,
    limits: limitsOf(quota),
    maxConcurrentStreams: quota.maxConcurrentStreams ?? null,
  };
}
