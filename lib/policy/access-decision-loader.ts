import DataLoader from 'dataloader';

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
      cacheKeyFn: (check) =>
        JSON.stringify([
          check.teamId,
          check.modelId,
          check.providerId,
          [...check.capabilities].sort(),
          [...check.tags].sort(),
          check.modelClassification,
          check.dataClass ?? 'PUBLIC',
        ]),
    },
  );
}
