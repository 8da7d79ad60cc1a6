import { eventually } from '../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

interface AuditEvent {
  action: string;
  actor: string;
  outcome: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  details: string;
}
interface AuditPage {
  totalCount: number;
  edges: Array<{ node: AuditEvent }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
const AUDIT = typed<{
  auditLog: AuditPage;
}>(`query($team: ID!, $filter: AuditFilter, $after: String) {
  auditLog(teamId: $team, filter: $filter, first: 2, after: $after) {
    totalCount edges { node { action actor outcome targetType targetId requestId details } }
    pageInfo { hasNextPage endCursor } } }`);

// The policy service's own events; the gateway's ACCESS_DENIED events arrive asynchronously and
// have their own test below.
const CHANGES = { actions: ['TEAM_CREATED', 'API_KEY_CREATED', 'API_KEY_REVOKED'] };

describe.each(STORE_MODES)('the policy audit log (%s stores)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode });
  }, STACK_START_TIMEOUT_MS);
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
      await stack.request<{ createApiKey: { apiKey: { id: string } } }>(
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
      await stack.request(AUDIT, {
        token: teamAdmin,
        variables: { team: teamId, filter: CHANGES },
      }),
    ).auditLog;
    expect(first.totalCount).toBe(5); // team created, its key created, ci key, refused key, revoked
    expect(first.edges.map((e) => [e.node.action, e.node.outcome, e.node.actor])).toEqual([
      ['API_KEY_REVOKED', 'SUCCEEDED', 'admin'],
      ['API_KEY_CREATED', 'DENIED', expect.stringMatching(/^key:/)],
    ]);
    expect(JSON.parse(first.edges[1]!.node.details).reason).toMatch(/inference:invoke/);
    const second = expectNoErrors(
      await stack.request(AUDIT, {
        token: teamAdmin,
        variables: { team: teamId, filter: CHANGES, after: first.pageInfo.endCursor },
      }),
    ).auditLog;
    expect(second.edges[0]?.node).toMatchObject({
      action: 'API_KEY_CREATED',
      outcome: 'SUCCEEDED',
      targetType: 'ApiKey',
      targetId: created,
      requestId: 'audit-request-0001',
    });
    expect(second.edges[0]?.node.details).not.toMatch(/mg_[A-Za-z0-9_-]{20,}/);

    const denied = expectNoErrors(
      await stack.request(AUDIT, {
        token: teamAdmin,
        variables: { team: teamId, filter: { ...CHANGES, outcome: 'DENIED' } },
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
      await stack.request<{ removeTeamMember: unknown }>(
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
    expect(log.edges.map((e) => e.node.targetId)).toEqual(['ann']);
  });

  it('records refusals made by graphql-shield in other subgraphs (via the gateway)', async () => {
    const { teamId, key } = await stack.createTeamWithKey('Shielded', [
      'models:read',
      'policy:admin',
    ]);
    expectErrorCode(
      await stack.request(
        `mutation { registerProvider(input: { id: "sneaky", displayName: "S", kind: LOCAL }) { id } }`,
        {
          token: key,
          headers: { 'x-request-id': 'denied-request-0001' },
        },
      ),
      'FORBIDDEN',
    );
    // The gateway records ACCESS_DENIED after it answers: wait for the event to arrive.
    const events = await eventually(
      'the ACCESS_DENIED event is recorded',
      async () => {
        const found = expectNoErrors(
          await stack.request(AUDIT, {
            token: key,
            variables: { team: teamId, filter: { actions: ['ACCESS_DENIED'] } },
          }),
        ).auditLog.edges.map((e) => e.node);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'ACCESS_DENIED',
      outcome: 'DENIED',
      targetId: 'registerProvider',
      requestId: 'denied-request-0001',
      actor: expect.stringMatching(/^key:/),
    });
    expect(JSON.parse(events[0]!.details).reason).toMatch(/organization admins/);
  });

  it('records an organization admin mutation in any subgraph, without its arguments', async () => {
    const { teamId } = await stack.createTeamWithKey('Granted', ['wallet:read']);
    expectNoErrors(
      await stack.request(
        `mutation Grant($w: ID!) { grantCredits(walletId: $w, amount: "5", idempotencyKey: "audit-g", memo: "secret-memo") { id } }`,
        {
          token: TEST_ADMIN_KEY,
          variables: { w: teamId },
          headers: { 'x-request-id': 'admin-request-0001' },
        },
      ),
    );
    const rows = await eventually(
      'the ADMIN_MUTATION event is recorded',
      async () => {
        const result = await stack.dbs.policy.query<{
          target_id: string;
          request_id: string;
          details: object;
        }>(
          "SELECT target_id, request_id, details FROM audit_events WHERE action = 'ADMIN_MUTATION' AND request_id = 'admin-request-0001'",
        );
        return result.rows.length > 0 ? result.rows : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(rows).toEqual([
      {
        target_id: 'grantCredits',
        request_id: 'admin-request-0001',
        details: { operation: 'Grant' },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret-memo');
    const org = expectNoErrors(
      await stack.request<{ auditLog: { edges: Array<{ node: unknown }> } }>(
        `{ auditLog(filter: { actions: ["ADMIN_MUTATION"] }) { edges { node { targetId requestId } } } }`,
        {
          token: TEST_ADMIN_KEY,
        },
      ),
    ).auditLog.edges.map((e) => e.node);
    expect(org).toContainEqual({ targetId: 'grantCredits', requestId: 'admin-request-0001' });
    expectErrorCode(
      await stack.request('{ auditLog { totalCount } }', {
        token: (await stack.createTeamWithKey('Nosy', ['policy:admin'])).key,
      }),
      'FORBIDDEN',
    );
  });
});
