import {
  accessCheckKey,
  createAccessDecisionLoader,
  type AccessCheck,
  type AccessCheckResult,
} from '../../../lib/policy/access-decision-loader.js';
import type { ServiceClient } from '../../../lib/service-client.js';

const DECIDE = `query Decide($checks: [AccessCheckInput!]!) {
  accessDecisions(checks: $checks) {
    allowed reason
    quota { requestsPerMinute tokensPerMinute tokensPerDay keyRequestsPerMinute keyTokensPerMinute }
  }
}`;
const MAX_CACHED = 50_000;

/**
 * Policy's decisions: every check of one operation goes in one `accessDecisions` call, and each
 * answer (with the team's quota) is reused for `cacheMs` by this replica, so a rule or quota change
 * applies within that time. 0 asks policy on every call.
 */
export function createPolicyClient(options: {
  client: ServiceClient;
  policyUrl: string;
  cacheMs: number;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { result: AccessCheckResult; until: number }>();

  const ask = async (checks: readonly AccessCheck[], requestId: string) => {
    const data = await options.client.graphql<{ accessDecisions: AccessCheckResult[] }>(
      options.policyUrl,
      DECIDE,
      { checks },
      requestId,
    );
    return data.accessDecisions;
  };

  const decide = async (checks: readonly AccessCheck[], requestId: string) => {
    if (options.cacheMs === 0) return ask(checks, requestId);
    const keys = checks.map(accessCheckKey);
    const results = keys.map((key) => {
      const hit = cache.get(key);
      return hit && hit.until > now() ? hit.result : undefined;
    });
    const missing = checks.filter((_, i) => results[i] === undefined);
    if (missing.length > 0) {
      const answers = await ask(missing, requestId);
      if (cache.size > MAX_CACHED) cache.clear();
      let next = 0;
      results.forEach((result, i) => {
        if (result !== undefined) return;
        const answer = answers[next++]!;
        results[i] = answer;
        cache.set(keys[i]!, { result: answer, until: now() + options.cacheMs });
      });
    }
    return results as AccessCheckResult[];
  };

  return {
    loaderFor(requestId: string) {
      return createAccessDecisionLoader((checks) => decide(checks, requestId));
    },
  };
}

export type PolicyClient = ReturnType<typeof createPolicyClient>;
export type DecisionLoader = ReturnType<PolicyClient['loaderFor']>;
