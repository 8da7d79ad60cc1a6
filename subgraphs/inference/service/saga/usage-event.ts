import { GraphQLError } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import type { TokenUsage } from '../../providers/types.js';
import type { UsageKind, UsageOutcome, UsageRecord } from '../../store/usage-rows.js';
import type { Charge } from './payment.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

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

/** What a call's usage record holds beyond its usage event. */
export interface CallFacts {
  /** The generation's id (or the call's own): a record is written once per id. */
  callId: string;
  kind: UsageKind;
  /** The alias or model the caller named. */
  route: string;
  /** The provider that answered; null when none did (cache, refusal). */
  providerId: string | null;
  /** µcr the call is charged at: what the capture asks the ledger for. */
  cost: bigint;
  /** When the saga began (deps.now()). */
  started: number;
  /** Streams: when the first delta went out. */
  firstTokenAt?: number;
  outcome: UsageOutcome;
}

function recordOf(
  deps: SagaDeps,
  ctx: SagaContext,
  facts: CallFacts,
  answer: { modelId: string; priceVersion: number | null; usage: TokenUsage; cached: boolean },
): UsageRecord {
  const now = deps.now();
  return {
    callId: facts.callId,
    teamId: ctx.teamId,
    apiKeyId: ctx.keyId ?? null,
    userId: ctx.keyId ? null : ctx.principalId,
    kind: facts.kind,
    route: facts.route,
    modelId: answer.modelId,
    providerId: facts.providerId,
    priceVersion: answer.priceVersion,
    inputTokens: answer.usage.inputTokens,
    outputTokens: answer.usage.outputTokens,
    cost: facts.cost,
    latencyMs: Math.max(0, now - facts.started),
    ttftMs:
      facts.firstTokenAt === undefined ? null : Math.max(0, facts.firstTokenAt - facts.started),
    outcome: facts.outcome,
    cached: answer.cached,
    requestId: ctx.requestId,
    createdAt: new Date(now),
    promptId: ctx.prompt?.promptId ?? null,
    promptVersion: ctx.prompt?.version ?? null,
    flowHoldId: ctx.flowStep?.holdId ?? null,
    flowStepKey: ctx.flowStep?.stepKey ?? null,
  };
}

/**
 * Steps "capture" and "usage event" together: the call's usage record is written while the ledger
 * charges (`charging`), and this resolves when both are done, so the record costs the call no time
 * of its own. A record whose write failed does not fail the call: the writer keeps it and retries.
 */
export async function chargeAndRecord(
  deps: SagaDeps,
  ctx: SagaContext,
  charging: Promise<Charge>,
  event: Omit<UsageEvent, 'charge'>,
  facts: CallFacts,
): Promise<Charge> {
  const recording = deps.usageWriter?.write(recordOf(deps, ctx, facts, event));
  const [charge] = await Promise.all([charging, recording]);
  recordUsage(ctx, { ...event, charge }, deps.usageMetrics);
  return charge;
}

/** Codes of calls that failed on the platform's or a provider's side; the rest were refused. */
const FAILURE_CODES = new Set(['PROVIDER_ERROR', 'SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);

/** The outcome a call that threw `error` is recorded with. */
export function outcomeOf(error: unknown): UsageOutcome {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code === 'string' && !FAILURE_CODES.has(code) ? 'REFUSED' : 'FAILED';
}

/** The usage record of a call that ended in `error` before it was served: nothing charged. */
export async function recordFailedCall(
  deps: SagaDeps,
  ctx: SagaContext,
  call: { callId: string; kind: UsageKind; route: string; started: number },
  error: unknown,
): Promise<void> {
  const facts: CallFacts = { ...call, providerId: null, cost: 0n, outcome: outcomeOf(error) };
  await deps.usageWriter?.write(
    recordOf(deps, ctx, facts, {
      modelId: call.route,
      priceVersion: null,
      usage: { inputTokens: 0, outputTokens: 0 },
      cached: false,
    }),
  );
}
