import { DEFAULT_DATA_CLASS } from './data-classes.js';
import DataLoader from 'dataloader';
import type { Limits } from '../rate-limit/index.js';

/** One check a caller asks the policy subgraph about (see AccessCheckInput in its schema). */
export interface AccessCheck {
  teamId: string;
  modelId: string;
  providerId: string;
  capabilities: string[];
  tags: string[];
  modelClassification: string;
  dataClass?: string;
}

/** The team's rate limits as policy answers them (null where unlimited). */
export interface QuotaFigures {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
  keyRequestsPerMinute: number | null;
  keyTokensPerMinute: number | null;
}

export interface AccessCheckResult {
  allowed: boolean;
  reason: string | null;
  quota: QuotaFigures;
}

/** Policy's quota figures as the rate limiter's limits. */
export function limitsOf(quota: QuotaFigures): Limits {
  const limit = (value: number | null) => value ?? undefined;
  return {
    rpm: limit(quota.requestsPerMinute),
    tpm: limit(quota.tokensPerMinute),
    tpd: limit(quota.tokensPerDay),
    keyRpm: limit(quota.keyRequestsPerMinute),
    keyTpm: limit(quota.keyTokensPerMinute),
  };
}

/** Identifies a check: equal keys get equal answers. */
export function accessCheckKey(check: AccessCheck): string {
  return JSON.stringify([
    check.teamId,
    check.modelId,
    check.providerId,
    [...check.capabilities].sort(),
    [...check.tags].sort(),
    check.modelClassification,
    check.dataClass ?? DEFAULT_DATA_CLASS,
  ]);
}

/**
 * For callers of the policy subgraph's `accessDecisions`: every check of one operation (one per
 * model call, say) goes into one request. Make one loader per request; identical checks are asked
 * once.
 */
export function createAccessDecisionLoader(
  decide: (checks: readonly AccessCheck[]) => Promise<AccessCheckResult[]>,
) {
  return new DataLoader<AccessCheck, AccessCheckResult, string>(
    async (checks) => {
      const results = await decide(checks);
      if (results.length !== checks.length)
        throw new Error('policy answered a different number of checks');
      return results;
    },
    {
      maxBatchSize: 500,
      cacheKeyFn: accessCheckKey,
    },
  );
}
