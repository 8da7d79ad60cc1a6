import { Counter, type Registry } from 'prom-client';
import type { TokenUsage } from '../../providers/types.js';
import type { Charge } from './payment.js';
import type { SagaContext } from './saga-types.js';

export interface UsageEvent {
  kind: 'chat' | 'embedding';
  modelId: string;
  priceVersion: number;
  usage: TokenUsage;
  /** What the ledger did: only a confirmed charge counts as charged. */
  charge: Charge;
  /** The response cache answered. */
  cached: boolean;
  /** An identical call running at the same time answered: no provider call of its own. */
  shared: boolean;
  /** Streams: why it ended (CANCELLED, INTERRUPTED, or the provider's reason). */
  finishReason?: string;
}

/** Prometheus series for usage: tokens and µcr per model, cached, shared or neither. */
export function createUsageMetrics(registry: Registry) {
  return {
    tokens: new Counter({
      name: 'inference_tokens_total',
      help:
        'Tokens used, by model, direction (input/output), whether the cache answered, and ' +
        'whether an identical concurrent call answered (shared).',
      labelNames: ['model', 'direction', 'cached', 'shared'],
      registers: [registry],
    }),
    cost: new Counter({
      name: 'inference_charged_microcredits_total',
      help: 'Micro-credits the ledger confirmed it charged for calls, by model.',
      labelNames: ['model'],
      registers: [registry],
    }),
  };
}

export type UsageMetrics = ReturnType<typeof createUsageMetrics>;

/**
 * The usage event every call ends with: a structured log line (model, tokens, price version,
 * request id, team, what the ledger charged; never the prompt) and the counters. The ledger's
 * capture carries the same usage durably; a capture confirmed later is counted then.
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
      cost: event.charge.status === 'CHARGED' ? event.charge.amount.toString() : '0',
      chargeStatus: event.charge.status,
      cached: event.cached,
      shared: event.shared,
      ...(event.finishReason ? { finishReason: event.finishReason } : {}),
    },
    'usage',
  );
  if (!metrics) return;
  const cached = String(event.cached);
  const shared = String(event.shared);
  metrics.tokens.inc(
    { model: event.modelId, direction: 'input', cached, shared },
    event.usage.inputTokens,
  );
  metrics.tokens.inc(
    { model: event.modelId, direction: 'output', cached, shared },
    event.usage.outputTokens,
  );
  if (event.charge.status === 'CHARGED') {
    metrics.cost.inc({ model: event.modelId }, Number(event.charge.amount));
  }
}
