import { z } from 'zod';
import { flag, parseConfig, requiredPem } from '../../lib/config.js';
import type { LeaseSettings } from './service/saga/credit-leases.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';
import { WALLET_CALL_BUDGET_MS } from './service/timing.js';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** The saga's tunables (see InferenceSettings for what each does). */
const SettingsFields = z.object({
  INFERENCE_ATTEMPT_TIMEOUT_MS: int(30_000, 1),
  INFERENCE_DEADLINE_MS: int(120_000, 1),
  INFERENCE_OUTPUT_TOKENS_PER_SECOND: int(35, 2),
  INFERENCE_ATTEMPTS_PER_TARGET: int(2, 1),
  INFERENCE_RETRY_BASE_MS: int(250),
  INFERENCE_RETRY_MAX_MS: int(8_000),
  INFERENCE_CIRCUIT_FAILURES: int(5, 1),
  INFERENCE_CIRCUIT_HALF_OPEN_MS: int(30_000, 1),
  INFERENCE_HOLD_TTL_SECONDS: int(600, 1),
  INFERENCE_CATALOG_CACHE_MS: int(2_000),
  INFERENCE_POLICY_CACHE_MS: int(1_000),
  CACHE_GENERATION_TTL_SECONDS: int(3_600),
  CACHE_EMBEDDING_TTL_SECONDS: int(7 * 86_400),
  CACHE_HITS_CHARGED: flag(false),
  IDEMPOTENCY_TTL_SECONDS: int(86_400, 60),
  RATE_LIMIT_FAIL_OPEN: flag(false),
  LOCAL_STREAM_DELAY_MS: int(0),
  INFERENCE_STREAM_IDLE_TIMEOUT_MS: int(30_000, 1),
  INFERENCE_STREAM_HEARTBEAT_MS: int(12_000, 1),
  INFERENCE_CREDIT_LEASE_CALLS: int(16),
  INFERENCE_CREDIT_LEASE_SERVE_SECONDS: int(60, 1),
  INFERENCE_CREDIT_LEASE_IDLE_MS: int(2_000, 1),
  USAGE_RECORD_RETENTION_DAYS: int(90, 1),
});

// A hold that expires while its call still runs (or its capture is still being retried) would
// make the answer free.
const holdOutlastsDeadline = (e: z.infer<typeof SettingsFields>) =>
  e.INFERENCE_HOLD_TTL_SECONDS * 1000 >= e.INFERENCE_DEADLINE_MS + WALLET_CALL_BUDGET_MS;
const holdTtlProblem = {
  path: ['INFERENCE_HOLD_TTL_SECONDS'],
  message: `must outlast INFERENCE_DEADLINE_MS plus the wallet's retries (${WALLET_CALL_BUDGET_MS / 1000} s)`,
};

/** The saga's variables, checked together. */
export const InferenceSettingsEnv = SettingsFields.refine(holdOutlastsDeadline, holdTtlProblem);

const InferenceEnv = subgraphEnv(4002)
  .extend({
    ...SettingsFields.shape,
    MODELGRAPH_INTERNAL_PRIVATE_KEY: requiredPem(
      'PRIVATE KEY',
      'the platform PKCS#8 PEM; inference signs its own calls to policy and the wallet',
    ),
    MODELGRAPH_ORG_ID: z.string().default('default'),
    MODEL_CATALOG_URL: z.url().default('http://127.0.0.1:4001/graphql'),
    POLICY_URL: z.url().default('http://127.0.0.1:4004/graphql'),
    WALLET_URL: z.url().default('http://127.0.0.1:4003/graphql'),
    /** Where calls that name a prompt get it rendered. */
    ORCHESTRATION_URL: z.url().default('http://127.0.0.1:4006/graphql'),
  })
  .refine(holdOutlastsDeadline, holdTtlProblem);

/** How the inference saga behaves; every field has a default (see README's configuration table). */
export interface InferenceSettings {
  /** Longest one provider attempt may take. @default 30_000 */
  attemptTimeoutMs: number;
  /** Longest a whole call (every attempt and wait) may take. @default 120_000 */
  deadlineMs: number;
  /**
   * The output speed a non-streamed call is given time for: attempts and the deadline grow by
   * maxTokens at this rate (Anthropic's SDK assumes 128,000 tokens an hour). @default 35
   */
  outputTokensPerSecond: number;
  /** Attempts on one deployment before falling back to the next. @default 2 */
  attemptsPerTarget: number;
  /** First backoff; doubles each retry, full jitter. @default 250 */
  retryBaseMs: number;
  /** Longest wait between attempts, Retry-After included. @default 8_000 */
  retryMaxMs: number;
  /** Consecutive failures that open a deployment's circuit. @default 5 */
  circuitFailures: number;
  /** How long an open circuit skips the deployment before one trial call. @default 30_000 */
  circuitHalfOpenMs: number;
  /**
   * How long a call's hold lives (longer for calls whose deadline needs it); the sweeper releases
   * it after a crash. Must outlast the deadline and the wallet's retries. @default 600
   */
  holdTtlSeconds: number;
  /** How long a resolved route (models, prices) is reused. @default 2_000 */
  catalogCacheMs: number;
  /** How long a policy decision (and the team's quota) is reused; 0 asks every time. @default 1_000 */
  policyCacheMs: number;
  /** 0 turns the generation cache off. @default 3_600 */
  generationCacheTtlSeconds: number;
  /** 0 turns the embedding cache off. @default 604_800 */
  embeddingCacheTtlSeconds: number;
  /** Whether a cache hit is charged as if the provider had been called. @default false */
  cacheHitsCharged: boolean;
  /** How long an idempotency key's answer is kept. @default 86_400 */
  idempotencyTtlSeconds: number;
  /** Allow calls when the rate-limit store is unreachable (logged). @default false */
  rateLimitFailOpen: boolean;
  /**
   * The pause between the words the local model streams, so a demo visibly streams offline
   * (`npm start` makes it 25 unless set). @default 0
   */
  localStreamDelayMs: number;
  /**
   * A started stream whose provider sends nothing for this long is ended (GenerationFailed,
   * PROVIDER_STREAM_INTERRUPTED; what was delivered is charged). @default 30_000
   */
  streamIdleTimeoutMs: number;
  /** An open stream with nothing to send gets a heartbeat (an SSE comment) this often. @default 12_000 */
  streamHeartbeatMs: number;
  /** Credit leases (decision 62): calls: 0 turns them off. */
  creditLeases: LeaseSettings;
  /** Raw usage records older than this are deleted (rollups are kept). @default 90 */
  usageRecordRetentionDays: number;
}

/** The settings from parsed variables. */
export function toInferenceSettings(e: z.infer<typeof SettingsFields>): InferenceSettings {
  return {
    attemptTimeoutMs: e.INFERENCE_ATTEMPT_TIMEOUT_MS,
    deadlineMs: e.INFERENCE_DEADLINE_MS,
    outputTokensPerSecond: e.INFERENCE_OUTPUT_TOKENS_PER_SECOND,
    attemptsPerTarget: e.INFERENCE_ATTEMPTS_PER_TARGET,
    retryBaseMs: e.INFERENCE_RETRY_BASE_MS,
    retryMaxMs: e.INFERENCE_RETRY_MAX_MS,
    circuitFailures: e.INFERENCE_CIRCUIT_FAILURES,
    circuitHalfOpenMs: e.INFERENCE_CIRCUIT_HALF_OPEN_MS,
    holdTtlSeconds: e.INFERENCE_HOLD_TTL_SECONDS,
    catalogCacheMs: e.INFERENCE_CATALOG_CACHE_MS,
    policyCacheMs: e.INFERENCE_POLICY_CACHE_MS,
    generationCacheTtlSeconds: e.CACHE_GENERATION_TTL_SECONDS,
    embeddingCacheTtlSeconds: e.CACHE_EMBEDDING_TTL_SECONDS,
    cacheHitsCharged: e.CACHE_HITS_CHARGED,
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    rateLimitFailOpen: e.RATE_LIMIT_FAIL_OPEN,
    localStreamDelayMs: e.LOCAL_STREAM_DELAY_MS,
    streamIdleTimeoutMs: e.INFERENCE_STREAM_IDLE_TIMEOUT_MS,
    streamHeartbeatMs: e.INFERENCE_STREAM_HEARTBEAT_MS,
    creditLeases: {
      calls: e.INFERENCE_CREDIT_LEASE_CALLS,
      serveSeconds: e.INFERENCE_CREDIT_LEASE_SERVE_SECONDS,
      idleMs: e.INFERENCE_CREDIT_LEASE_IDLE_MS,
    },
    usageRecordRetentionDays: e.USAGE_RECORD_RETENTION_DAYS,
  };
}

export const DEFAULT_INFERENCE_SETTINGS: InferenceSettings = toInferenceSettings(
  InferenceSettingsEnv.parse({}),
);

export function loadInferenceConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(InferenceEnv, env);
  return {
    ...subgraphSettings('inference', e),
    orgId: e.MODELGRAPH_ORG_ID,
    internalPrivateKeyPem: e.MODELGRAPH_INTERNAL_PRIVATE_KEY,
    services: {
      catalog: e.MODEL_CATALOG_URL,
      policy: e.POLICY_URL,
      wallet: e.WALLET_URL,
      orchestration: e.ORCHESTRATION_URL,
    },
    settings: toInferenceSettings(e),
  };
}
