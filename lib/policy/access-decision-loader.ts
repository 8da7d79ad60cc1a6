import { DEFAULT_DATA_CLASS } from './data-classes.js';
import DataLoader from 'dataloader';
import type { QuotaFigures } from '../rate-limit/quota-names.js';

/** Policy's quota figures as the rate limiter's limits (one vocabulary: lib/rate-limit/quota-names.ts). */
export { limitsOf } from '../rate-limit/quota-names.js';

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

export interface AccessCheckResult {
  allowed: boolean;
  reason: string | null;
  quota: QuotaFigures;
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
