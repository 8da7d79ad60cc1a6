import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../support/test-identity-provider.js';
import { typed } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const ADD = `mutation Add($input: AddTeamMemberInput!) { addTeamMember(input: $input) { userId role } }`;
const VIEWER = typed<{
  viewer: { id: string; memberships: Array<{ role: string | null; scopes: string[] }> };
}>('{ viewer { id memberships { role scopes } } }');
// Regressions: each failed before its fix (OIDC token without exp accepted; an ADMIN demoting an
// OWNER; a stale grants fill undoing a role change). Embedded stores: the race is in the cache protocol.
describe('authentication regressions', () => {
  let stack: Stack;
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    stack = await startStack({ mode: 'embedded', gateway: { oidc: idp.oidc } });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack.stop();
    await idp.close();
  });
  const token = (sub: string, exp = true) => idp.token(sub, exp ? {} : { expiresIn: null });

  it('token without exp is refused', async () => {
    const r = await stack.request(VIEWER, { token: await token('noexp', false) });
    expect(r.status).toBe(401);
  });

  it('ADMIN cannot demote an OWNER', async () => {
    const { teamId } = await stack.createTeamWithKey('T1', ['models:read']);
    expectNoErrors(
      await stack.request(ADD, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId, userId: 'olga', role: 'OWNER' } },
      }),
    );
    expectNoErrors(
      await stack.request(ADD, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId, userId: 'carol', role: 'ADMIN' } },
      }),
    );
    const r = await stack.request(ADD, {
      token: await token('carol'),
      variables: { input: { teamId, userId: 'olga', role: 'VIEWER' } },
    });
    expectErrorCode(r, 'FORBIDDEN');
  });

  it('a demotion racing a grants lookup is not undone by a stale cache fill', async () => {
    const { teamId } = await stack.createTeamWithKey('T2', ['models:read']);
    expectNoErrors(
      await stack.request(ADD, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId, userId: 'dan', role: 'ADMIN' } },
      }),
    );
    const dan = await token('dan');
    let raced = false;
    const unwatch = stack.serviceCalls.watch({
      async afterAnswer(call) {
        if (raced || !call.path.endsWith('/internal/user-grants')) return;
        raced = true;
        // The store answered "ADMIN"; before the gateway caches that, dan is demoted.
        expectNoErrors(
          await stack.request(ADD, {
            token: TEST_ADMIN_KEY,
            variables: { input: { teamId, userId: 'dan', role: 'VIEWER' } },
          }),
        );
      },
    });
    try {
      const first = expectNoErrors(await stack.request(VIEWER, { token: dan }));
      expect(first.viewer.memberships[0]?.role).toBe('ADMIN');
    } finally {
      unwatch();
    }
    expect(raced).toBe(true);
    const after = expectNoErrors(await stack.request(VIEWER, { token: dan }));
    expect(after.viewer.memberships[0]?.role).toBe('VIEWER');
  });
});
