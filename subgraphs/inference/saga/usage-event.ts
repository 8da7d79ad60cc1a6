import { Counter, type Registry } from 'prom-client';
import type { TokenUsage } from '../providers/types.js';
import type { SagaContext } from './saga-types.js';

export interface UsageEvent {
  kind: 'chat' | 'embedding';
  modelId: string;
  priceVersion: number;
  usage: TokenUsage;
  /** µcr charged (0 for a free cache hit). */
  cost: bigint;
  cached: boolean;
}

/** Prometheus series for usage: tokens and µcr per model, cached or not. */
export function createUsageMetrics(registry: Registry) {
  return {
    tokens: new Counter({
      name: 'inference_tokens_total',
      help: 'Tokens used, by model, direction (input/output) and whether a cache answered.',
      labelNames: ['model', 'direction', 'cached'],
      registers: [registry],
    }),
    cost: new Counter({
      name: 'inference_charged_microcredits_total',
      help: 'Micro-credits charged for calls, by model.',
      labelNames: ['model'],
      registers: [registry],
    }),
  };
}

export type UsageMetrics = ReturnType<typeof createUsageMetrics>;

/**
 * The usage event every call ends with: a structured log line (model, tokens, price version,
 * request id, team, cost; never the prompt) and the counters. The ledger's capture carries the
 * same usage durably.
 */
export function recordUsage(ctx: SagaContext, event: UsageEvent, metrics?: UsageMetrics) {
  ctx.logger.info(
    {
      event: 'usage',
      kind: event.kind,
      teamId: ctx.teamId,
      modelId: event.modelId,
      priceVersion: event.priceVersion,
      inputTokens: event.usage.inputTokens,
      outputTokens: event.usage.outputTokens,
      cost: event.cost.toString(),
      cached: event.cached,
    },
    'usage',
  );
  if (!metrics) return;
  const cached = String(event.cached);
  metrics.tokens.inc({ model: event.modelId, direction: 'input', cached }, event.usage.inputTokens);
  metrics.tokens.inc(
    { model: event.modelId, direction: 'output', cached },
    event.usage.outputTokens,
  );
  metrics.cost.inc({ model: event.modelId }, Number(event.cost));
}
