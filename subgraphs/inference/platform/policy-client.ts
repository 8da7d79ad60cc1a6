import {
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

/** Policy's decisions for one operation: every check it needs goes in one `accessDecisions` call. */
export function createPolicyClient(options: { client: ServiceClient; policyUrl: string }) {
  return {
    loaderFor(requestId: string) {
      return createAccessDecisionLoader(async (checks: readonly AccessCheck[]) => {
        const data = await options.client.graphql<{ accessDecisions: AccessCheckResult[] }>(
          options.policyUrl,
          DECIDE,
          { checks },
          requestId,
        );
        return data.accessDecisions;
      });
    },
  };
}

export type PolicyClient = ReturnType<typeof createPolicyClient>;
export type DecisionLoader = ReturnType<PolicyClient['loaderFor']>;
