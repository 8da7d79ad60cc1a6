import { rateLimitError } from '../../lib/rate-limit/rate-limited-error.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const SET = typed<{ setQuota: { quota: unknown } }>(`mutation($t: ID!, $q: QuotaInput!) {
  setQuota(teamId: $t, input: $q) {
  quota { requestsPerMinute tokensPerMinute tokensPerDay keyRequestsPerMinute keyTokensPerMinute } } }`);
interface Window {
  limit: number;
  remaining: number;
}
const STATUS = typed<{
  team: {
    rateLimitStatus: {
      requestsPerMinute: Window | null;
      tokensPerMinute: Window | null;
      tokensPerDay: Pick<Window, 'limit'> | null;
      unavailable: boolean;
    };
  };
}>(`query($t: ID!) { team(id: $t) { rateLimitStatus {
  requestsPerMinute { limit remaining } tokensPerMinute { limit remaining } tokensPerDay { limit } unavailable } } }`);

describe.each(STORE_MODES)('team quotas and rate-limit status (%s stores)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('lets an org admin set quotas, shows them, and reports remaining capacity as requests are admitted', async () => {
    const { teamId, key } = await stack.createTeamWithKey('Quoted', ['models:read']);
    const set = expectNoErrors(
      await stack.request(SET, {
        token: TEST_ADMIN_KEY,
        variables: { t: teamId, q: { requestsPerMinute: 3, tokensPerMinute: 100 } },
      }),
    );
    expect(set.setQuota.quota).toEqual({
      requestsPerMinute: 3,
      tokensPerMinute: 100,
      tokensPerDay: null,
      keyRequestsPerMinute: null,
      keyTokensPerMinute: null,
    });
    expectErrorCode(
      await stack.request(SET, {
        token: key,
        variables: { t: teamId, q: { requestsPerMinute: 1000 } },
      }),
      'FORBIDDEN',
    );

    const limits = { rpm: 3, tpm: 100 };
    const reserved = Date.now();
    for (let i = 0; i < 3; i += 1) {
      expect(
        await stack.rateLimiter.reserve({ teamId }, limits, { requests: 1, tokens: 30 }),
      ).toMatchObject({ allowed: true });
    }
    const refused = await stack.rateLimiter.reserve({ teamId }, limits, { requests: 1, tokens: 1 });
    expect(refused).toMatchObject({ allowed: false, reason: 'LIMITED', limit: 'rpm' });
    if (refused.allowed) throw new Error('unreachable');
    const error = rateLimitError(refused);
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'rpm' });
    // The caller set `requestsPerMinute`; the refusal names the same field.
    expect(error.extensions.quotaField).toBe('requestsPerMinute');
    expect(error.message).toBe('The requestsPerMinute limit is reached.');
    expect(error.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    const status = expectNoErrors(
      await stack.request(STATUS, { token: key, variables: { t: teamId } }),
    ).team.rateLimitStatus;
    expect(status.requestsPerMinute?.limit).toBe(3);
    expect(status.requestsPerMinute?.remaining).toBeLessThan(1);
    expect(status.tokensPerMinute?.limit).toBe(100);
    // 90 of 100 tokens used; the window gives one back every 600 ms (GCRA), however slow the
    // machine was between the reservations and this read.
    const refilled = Math.ceil((Date.now() - reserved) / 600);
    expect(status.tokensPerMinute?.remaining).toBeGreaterThan(9);
    expect(status.tokensPerMinute?.remaining).toBeLessThanOrEqual(10 + refilled);
    expect(status.tokensPerDay).toBeNull();
    expect(status.unavailable).toBe(false);
  });

  it('refuses negative limits with BAD_USER_INPUT', async () => {
    const { teamId } = await stack.createTeamWithKey('Negative', ['models:read']);
    const error = expectErrorCode(
      await stack.request(SET, {
        token: TEST_ADMIN_KEY,
        variables: { t: teamId, q: { requestsPerMinute: -1 } },
      }),
      'BAD_USER_INPUT',
    );
    // Named as the caller sent it, not as the rate limiter stores it (`rpm`).
    expect(error.extensions?.field).toBe('requestsPerMinute');
    expect(error.message).toBe('requestsPerMinute must be a whole number of 0 or more.');
  });
});
