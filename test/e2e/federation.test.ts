import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

describe.each(STORE_MODES)('the supergraph end to end (%s stores)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('joins catalog, policy and inference fields on one Model over real HTTP', async () => {
    const { key } = await stack.createTeamWithKey('Joiners', ['models:read', 'inference:invoke']);
    const data = expectNoErrors(
      await stack.request<{ model: unknown }>(
        `{ model(id: "local/echo-chat") {
             id displayName pricing { inputPerMillion }
             access { allowed reason }
             health { status sampleCount }
           } }`,
        { token: key },
      ),
    );
    expect(data.model).toEqual({
      id: 'local/echo-chat',
      displayName: 'Local echo chat',
      pricing: { inputPerMillion: '100000' },
      access: { allowed: false, reason: 'No rule grants local/echo-chat to the team.' },
      health: { status: 'UNKNOWN', sampleCount: 0 },
    });
  });

  it('joins policy and wallet fields on one Team', async () => {
    const { key, teamId } = await stack.createTeamWithKey('Wallet readers', [
      'models:read',
      'wallet:read',
    ]);
    const data = expectNoErrors(
      await stack.request<{ team: unknown }>(
        `query($id: ID!) { team(id: $id) { id name wallet { id balance { available held posted } } } }`,
        {
          token: key,
          variables: { id: teamId },
        },
      ),
    );
    expect(data.team).toEqual({
      id: teamId,
      name: 'Wallet readers',
      wallet: { id: teamId, balance: { available: '0', held: '0', posted: '0' } },
    });
  });

  it('refuses a request without a token with UNAUTHENTICATED', async () => {
    const response = await stack.request('{ models { totalCount } }');
    expect(response.status).toBe(401);
    expectErrorCode(response, 'UNAUTHENTICATED');
  });

  it('lets the bootstrap admin key in', async () => {
    const data = expectNoErrors(
      await stack.request<{ viewer: unknown }>('{ viewer { id roles } }', {
        token: TEST_ADMIN_KEY,
      }),
    );
    expect(data.viewer).toEqual({ id: 'admin', roles: ['ORG_ADMIN'] });
  });
});
