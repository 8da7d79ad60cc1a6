import { codedError } from '../errors.js';
import { QUOTA_FIELDS } from './quota-names.js';
import type { Decision } from './types.js';

/**
 * The GraphQL error for a refused decision: RATE_LIMITED with the limit and when to retry
 * (`retryAfterSeconds`, null when no wait helps), or SERVICE_UNAVAILABLE when limits could not be
 * checked and the limiter fails closed. `limit` is the limiter's short name (as in its Redis keys);
 * `quotaField` and the message use the schema's name, the one the caller set in `setQuota`.
 */
export function rateLimitError(decision: Exclude<Decision, { allowed: true }>) {
  if (decision.reason === 'UNAVAILABLE') {
    return codedError(
      'SERVICE_UNAVAILABLE',
      'Rate limits cannot be checked right now; try again.',
      {
        retryAfterSeconds: 1,
      },
    );
  }
  if (decision.reason === 'TOO_LARGE') {
    return codedError(
      'RATE_LIMITED',
      `The request is larger than the ${QUOTA_FIELDS[decision.limit]} limit allows.`,
      {
        limit: decision.limit,
        quotaField: QUOTA_FIELDS[decision.limit],
        retryAfterSeconds: null,
      },
    );
  }
  return codedError('RATE_LIMITED', `The ${QUOTA_FIELDS[decision.limit]} limit is reached.`, {
    limit: decision.limit,
    quotaField: QUOTA_FIELDS[decision.limit],
    retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
  });
}
