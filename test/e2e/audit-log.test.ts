import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';

const AUDIT = `query($team: ID!, $filter: AuditFilter, $after: String) {
  auditLog(teamId: $team, filter: $filter, first: 2, after: $after) {
    totalCount edges { node { action actor outcome targetType targetId requestId details } }
    pageInfo { hasNextPage endCursor } } }`;

describe.each(STORE_MODES)('the policy audit log (%s stores)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('records changes and refusals with who, what, request id and outcome, for the team admin only', async () => {
    const { teamId, key: teamAdmin } = await stack.createTeamWithKey('Audited', [
      'policy:admin',
      'models:read',
    ]);
    const { teamId: otherTeam, key: otherAdmin } = await stack.createTeamWithKey('Other', [
      'policy:admin',
    ]);

    const created = expectNoErrors(
      await stack.request(
        `mutation($t: ID!) { createApiKey(input: { teamId: $t, name: "ci", scopes: ["models:read"] }) { apiKey { id } } }`,
        {
          token: teamAdmin,
          variables: { t: teamId },
          headers: { 'x-request-id': 'audit-request-0001' },
        },
      ),
    ).createApiKey.apiKey.id;
    expectErrorCode(
      await stack.request(
        `mutation($t: ID!) { createApiKey(input: { teamId: $t, name: "too much", scopes: ["inference:invoke"] }) { secret } }`,
        { token: teamAdmin, variables: { t: teamId } },
      ),
      'FORBIDDEN',
    );
    expectNoErrors(
      await stack.request(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
        token: TEST_ADMIN_KEY,
        variables: { id: created },
      }),
    );

    const first = expectNoErrors(
      await stack.request(AUDIT, { token: teamAdmin, variables: { team: teamId } }),
    ).auditLog;
    expect(first.totalCount).toBe(5); // team created, its key created, ci key, refused key, revoked
    expect(first.edges.map((e: any) => [e.node.action, e.node.outcome, e.node.actor])).toEqual([
      ['API_KEY_REVOKED', 'SUCCEEDED', 'admin'],
      ['API_KEY_CREATED', 'DENIED', expect.stringMatching(/^key:/)],
    ]);
    expect(JSON.parse(first.edges[1].node.details).reason).toMatch(/inference:invoke/);
    const second = expectNoErrors(
      await stack.request(AUDIT, {
        token: teamAdmin,
        variables: { team: teamId, after: first.pageInfo.endCursor },
      }),
    ).auditLog;
    expect(second.edges[0].node).toMatchObject({
      action: 'API_KEY_CREATED',
      outcome: 'SUCCEEDED',
      targetType: 'ApiKey',
      targetId: created,
      requestId: 'audit-request-0001',
    });
    expect(second.edges[0].node.details).not.toMatch(/mg_[A-Za-z0-9_-]{20,}/);

    const denied = expectNoErrors(
      await stack.request(AUDIT, {
        token: teamAdmin,
        variables: { team: teamId, filter: { outcome: 'DENIED' } },
      }),
    ).auditLog;
    expect(denied.totalCount).toBe(1);
    expectErrorCode(
      await stack.request(AUDIT, { token: otherAdmin, variables: { team: teamId } }),
      'FORBIDDEN',
    );
    expect(otherTeam).not.toBe(teamId);
  });

  it('removes a member (audited); removing them again is NOT_FOUND', async () => {
    const { teamId } = await stack.createTeamWithKey('Members', ['models:read']);
    const add = (userId: string, role: string) =>
      stack.request(
        `mutation($t: ID!, $u: ID!, $r: TeamRole!) { addTeamMember(input: { teamId: $t, userId: $u, role: $r }) { role } }`,
        {
          token: TEST_ADMIN_KEY,
          variables: { t: teamId, u: userId, r: role },
        },
      );
    expectNoErrors(await add('ann', 'MEMBER'));
    const removed = expectNoErrors(
      await stack.request(
        `mutation($t: ID!) { removeTeamMember(teamId: $t, userId: "ann") { userId role } }`,
        {
          token: TEST_ADMIN_KEY,
          variables: { t: teamId },
        },
      ),
    );
    expect(removed.removeTeamMember).toEqual({ userId: 'ann', role: 'MEMBER' });
    expectErrorCode(
      await stack.request(
        `mutation($t: ID!) { removeTeamMember(teamId: $t, userId: "ann") { userId } }`,
        {
          token: TEST_ADMIN_KEY,
          variables: { t: teamId },
        },
      ),
      'NOT_FOUND',
    );
    const log = expectNoErrors(
      await stack.request(AUDIT, {
        token: TEST_ADMIN_KEY,
        variables: { team: teamId, filter: { actions: ['MEMBER_REMOVED'] } },
      }),
    ).auditLog;
    expect(log.edges.map((e: any) => e.node.targetId)).toEqual(['ann']);
  });
});
