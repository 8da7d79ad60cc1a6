import {
  accessCheckKey,
  createAccessDecisionLoader,
  type AccessCheck,
  type AccessCheckResult,
} from '../../../lib/policy/access-decision-loader.js';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../../lib/logging.js';
import { retryUnavailable, unavailable, type ServiceClient } from '../../../lib/service-client.js';
import { createTtlCache } from '../../../lib/ttl-cache.js';
import { READ_RETRY_DELAYS_MS } from '../service/timing.js';

const DECIDE = `query Decide($checks: [AccessCheckInput!]!) {
  accessDecisions(checks: $checks) {
    allowed reason
    quota {
      requestsPerMinute tokensPerMinute tokensPerDay keyRequestsPerMinute keyTokensPerMinute
      maxConcurrentStreams
    }
  }
}`;
const MAX_CACHED = 50_000;
/** A decision is a read: a transport failure is asked again. */
const policyRetries = retryUnavailable(READ_RETRY_DELAYS_MS);

/**
 * Policy's decisions: every check of one operation goes in one `accessDecisions` call, and each
 * answer (with the team's quota) is reused for `cacheMs` by this replica, so a rule or quota change
 * applies within that time. 0 asks policy on every call. A transport failure is asked again twice
 * (READ_RETRY_DELAYS_MS). When policy cannot answer (unreachable, failing, or an answer that is
 * not one decision per check) the caller gets SERVICE_UNAVAILABLE,
 * never policy's address or error text, and nothing is cached; the log gets the details.
 */
export function createPolicyClient(options: {
  client: ServiceClient;
  policyUrl: string;
  cacheMs: number;
  /** Where failed decision requests are logged in full. */
  logger: Logger;
  now?: () => number;
}) {
  const cache = createTtlCache<AccessCheckResult>({
    ttlMs: options.cacheMs,
    max: MAX_CACHED,
    now: options.now,
  });

  const ask = async (checks: readonly AccessCheck[], requestId: string) => {
    let decisions: unknown;
    try {
      const data = await policyRetries.execute(() =>
        options.client.graphql<{ accessDecisions?: unknown }>(
          options.policyUrl,
          DECIDE,
          { checks },
          requestId,
        ),
      );
      decisions = data.accessDecisions;
    } catch (error) {
      // Policy's own refusals are its answer; anything else means it could not give one.
      if (error instanceof GraphQLError) throw error;
      options.logger.error({ err: error, requestId }, 'policy decisions failed');
      throw unavailable('Policy');
    }
    if (!Array.isArray(decisions) || decisions.length !== checks.length) {
      const err = new Error(`policy answered ${JSON.stringify(decisions)?.slice(0, 200)}`);
      options.logger.error({ err, requestId, asked: checks.length }, 'policy decisions failed');
      throw unavailable('Policy');
    }
    return decisions as AccessCheckResult[];
  };

  const decide = async (checks: readonly AccessCheck[], requestId: string) => {
    const keys = checks.map(accessCheckKey);
    const results = keys.map((key) => cache.get(key));
    const missing = checks.filter((_, i) => results[i] === undefined);
    if (missing.length > 0) {
      const answers = await ask(missing, requestId);
      let next = 0;
      results.forEach((result, i) => {
        if (result !== undefined) return;
        const answer = answers[next++]!;
        results[i] = answer;
        cache.set(keys[i]!, answer);
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
