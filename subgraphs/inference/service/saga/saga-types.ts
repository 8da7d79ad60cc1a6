import type { DecisionLoader } from '../../clients/policy-client.js';
import type { CatalogClient } from '../../clients/catalog-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { Principal } from '../../../../lib/auth/principal.js';
import type { Logger } from '../../../../lib/logging.js';
import type { RateLimiter } from '../../../../lib/rate-limit/index.js';
import type { IdempotencyStore } from '../cache/idempotency.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { InferenceSettings } from '../../config.js';
import type { ModelHealth } from '../model-health.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Breakers } from '../routing/breakers.js';
import type { Singleflight } from '../singleflight.js';
import type { ChargeOutbox } from './charge-outbox.js';
import type { RateLimitMetrics } from './rate-limit-metrics.js';
import type { SagaMetrics } from './saga-metrics.js';
import type { CreditLeases } from './credit-leases.js';
import type { SpendBatcher } from './spend-batcher.js';
import type { UsageMetrics } from './usage-event.js';
import type { UsageWriter } from '../usage/usage-writer.js';

/** What the saga works with; made once at boot. */
export interface SagaDeps {
  catalog: CatalogClient;
  wallet: WalletClient;
  rateLimiter: RateLimiter;
  providers: ProviderRegistry;
  cache: ResponseCache;
  idempotency: IdempotencyStore;
  breakers: Breakers;
  health: ModelHealth;
  flights: Singleflight;
  /** Credit leases (decision 62); undefined where they are off: every call takes its own hold. */
  leases?: CreditLeases;
  /** Charges calls against their leases, batched. */
  spend: SpendBatcher;
  /** Where charges the wallet did not confirm are made durable, then sent until it does. */
  chargeOutbox: Pick<ChargeOutbox, 'record'>;
  usageMetrics?: UsageMetrics;
  /** Writes each call's usage record (decision 89); undefined: none are kept. */
  usageWriter?: Pick<UsageWriter, 'write'>;
  /** Counts calls whose limits could not be checked (the store unreachable). */
  rateLimitMetrics?: RateLimitMetrics;
  /** Steps' durations, rate-limit refusals, provider attempts, circuits. */
  sagaMetrics?: SagaMetrics;
  settings: InferenceSettings;
  logger: Logger;
  random: () => number;
  now: () => number;
}

/** The team prompt a call rendered: what its generation and usage record carry. */
export interface PromptUse {
  promptId: string;
  version: number;
}

/**
 * A flow step's payment (`flowStep`, decision 100): the call is paid from the run's FLOW_RUN hold
 * by one spend keyed by the step, never by a hold or lease of its own.
 */
export interface FlowStep {
  holdId: string;
  stepKey: string;
}

/** Who a call is for, per request. */
export interface SagaContext {
  teamId: string;
  /** The prompt the call rendered, when it named one. */
  prompt?: PromptUse;
  /** Set when orchestration sends the call as a step of a flow run: who pays is the run's hold. */
  flowStep?: FlowStep;
  /** The API key the call came with, when it did (per-key limits apply). */
  keyId: string | undefined;
  principalId: string;
  requestId: string;
  logger: Logger;
  /** Policy decisions, batched per operation. */
  decisions: DecisionLoader;
}

/** The saga's view of one request, charging `teamId`. */
export function sagaContextOf(
  request: { principal: Principal; requestId: string; logger: Logger; decisions: DecisionLoader },
  teamId: string,
): SagaContext {
  const { principal } = request;
  return {
    teamId,
    // An API key's own limits apply only to calls made with it.
    keyId:
      principal.kind === 'API_KEY' && principal.id.startsWith('key:')
        ? principal.id.slice(4)
        : undefined,
    principalId: principal.id,
    requestId: request.requestId,
    logger: request.logger,
    decisions: request.decisions,
  };
}
