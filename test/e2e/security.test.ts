import {
  CREATE_API_KEY,
  REVOKE_API_KEY,
  createKeyAs,
  unissuedApiKey,
} from '../support/api-keys.js';
import { expectErrorCode, expectNoErrors, gql } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

/** Admin mutations with inputs valid enough that the admin key succeeds with them afterwards. */
const ADMIN_MUTATIONS: Array<{ name: string; query: string }> = [
  {
    name: 'registerModel',
    query: `mutation { registerModel(input: {
      id: "local/sec-probe", providerId: "local", displayName: "Probe", capabilities: [CHAT],
      contextWindow: 1024, maxOutputTokens: 128,
      price: { inputPerMillion: "1", outputPerMillion: "1" } }) { id } }`,
  },
  {
    name: 'updateModel',
    query: `mutation { updateModel(id: "local/echo-chat", input: { displayName: "Hijacked" }) { id } }`,
  },
  {
    name: 'deprecateModel',
    query: `mutation { deprecateModel(id: "anthropic/claude-3-5-haiku",
      replacementId: "anthropic/claude-sonnet-4") { id } }`,
  },
  {
    name: 'registerProvider',
    query: `mutation { registerProvider(input: { id: "sec-probe", displayName: "Probe", kind: LOCAL }) { id } }`,
  },
  {
    name: 'setModelRoute',
    query: `mutation { setModelRoute(input: { alias: "sec-probe", strategy: FALLBACK,
      targets: [{ modelId: "local/echo-chat" }] }) { alias } }`,
  },
  { name: 'createTeam', query: `mutation { createTeam(input: { name: "Probe team" }) { id } }` },
];

const TEAM = typed<{ team: { id: string; name: string } }, { id: string }>(
  'query Team($id: ID!) { team(id: $id) { id name } }',
);
const WALLET = typed<{ wallet: unknown }, { id: string }>(
  'query Wallet($id: ID!) { wallet(id: $id) { id balance { available } } }',
);

describe.each(STORE_MODES)('gateway security (%s stores)', (mode) => {
  let stack: Stack;
  let member: string;
  beforeAll(async () => {
    stack = await startStack({ mode });
    ({ key: member } = await stack.createTeamWithKey('Members', [
      'models:read',
      'inference:invoke',
    ]));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  describe('authentication', () => {
    it('refuses a request without Authorization with 401 UNAUTHENTICATED and a Bearer challenge', async () => {
      const response = await stack.request('{ viewer { id } }');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expectErrorCode(response, 'UNAUTHENTICATED');
      expect(response.body.data).toBeUndefined();
    });

    it.each([
      ['a garbage token', 'Bearer not-a-token'],
      ['an empty bearer', 'Bearer '],
      ['another scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
      ['the admin key under another scheme', `Token ${TEST_ADMIN_KEY}`],
      ['a truncated admin key', `Bearer ${TEST_ADMIN_KEY.slice(0, -1)}`],
      ['a JWT with OIDC not configured', 'Bearer aaaa.bbbb.cccc'],
    ])('refuses %s with 401', async (_label, authorization) => {
      const response = await stack.request('{ viewer { id } }', { headers: { authorization } });
      expect(response.status).toBe(401);
      expectErrorCode(response, 'UNAUTHENTICATED');
    });

    it('refuses a well-formed but never issued mg_ key with 401, also once it is cached as unknown', async () => {
      const key = unissuedApiKey();
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await stack.request('{ viewer { id } }', { token: key });
        expect(response.status).toBe(401);
        expectErrorCode(response, 'UNAUTHENTICATED');
      }
    });

    it('accepts an issued key and names it in viewer', async () => {
      const { key, keyId, teamId } = await stack.createTeamWithKey('Viewers', ['models:read']);
      const data = expectNoErrors(
        await stack.request<{ viewer: unknown }>(
          '{ viewer { id kind roles memberships { team { id } role scopes } } }',
          {
            token: key,
          },
        ),
      );
      expect(data.viewer).toEqual({
        id: `key:${keyId}`,
        kind: 'API_KEY',
        roles: [],
        memberships: [{ team: { id: teamId }, role: null, scopes: ['models:read'] }],
      });
    });
  });

  describe('admin-only mutations', () => {
    it.each(ADMIN_MUTATIONS)(
      '$name is FORBIDDEN to a member key and writes nothing',
      async ({ query }) => {
        const denied = await stack.request(query, { token: member });
        expectErrorCode(denied, 'FORBIDDEN');
        expect(denied.body.data ?? null).toBeNull();
        // The same operation then succeeds for an admin: the input was valid, and the denied call
        // left nothing behind that would make it conflict.
        expectNoErrors(await stack.request(query, { token: TEST_ADMIN_KEY }));
      },
    );

    it('left the catalog as the admin, not the member, changed it', async () => {
      const data = expectNoErrors(
        await stack.request<{ model: unknown }>(
          '{ model(id: "local/echo-chat") { displayName } }',
          {
            token: member,
          },
        ),
      );
      expect(data.model).toEqual({ displayName: 'Hijacked' });
    });
  });

  describe('tenant isolation', () => {
    let a: { teamId: string; key: string; keyId: string };
    let b: { teamId: string; key: string; keyId: string };
    const adminScopes = ['models:read', 'wallet:read', 'policy:admin'] as const;
    beforeAll(async () => {
      a = await stack.createTeamWithKey('Team A', [...adminScopes]);
      b = await stack.createTeamWithKey('Team B', [...adminScopes]);
    });

    it("reads its own team but gets FORBIDDEN and no data for another team's", async () => {
      const own = expectNoErrors(
        await stack.request(TEAM, { token: a.key, variables: { id: a.teamId } }),
      );
      expect(own.team).toEqual({ id: a.teamId, name: 'Team A' });
      const other = await stack.request(TEAM, { token: a.key, variables: { id: b.teamId } });
      expectErrorCode(other, 'FORBIDDEN');
      expect(other.body.data?.team ?? null).toBeNull();
      expect(JSON.stringify(other.body)).not.toContain('Team B');
    });

    it("reads its own wallet but gets FORBIDDEN for another team's", async () => {
      const own = expectNoErrors(
        await stack.request(WALLET, { token: a.key, variables: { id: a.teamId } }),
      );
      expect(own.wallet).toEqual({ id: a.teamId, balance: { available: '0' } });
      const other = await stack.request(WALLET, { token: a.key, variables: { id: b.teamId } });
      expectErrorCode(other, 'FORBIDDEN');
      expect(other.body.data?.wallet ?? null).toBeNull();
    });

    it('cannot create a key for another team', async () => {
      const input = { teamId: b.teamId, name: 'intruder', scopes: ['models:read'] };
      const response = await stack.request(CREATE_API_KEY, { token: a.key, variables: { input } });
      expectErrorCode(response, 'FORBIDDEN');
      expect(response.body.data ?? null).toBeNull();
      const keys = expectNoErrors(
        await stack.request<{ team: { apiKeys: unknown } }>(
          'query($id: ID!) { team(id: $id) { apiKeys { id } } }',
          {
            token: TEST_ADMIN_KEY,
            variables: { id: b.teamId },
          },
        ),
      );
      expect(keys.team.apiKeys).toEqual([{ id: b.keyId }]);
    });

    it('cannot add a member to another team', async () => {
      const response = await stack.request(
        `mutation { addTeamMember(input: { teamId: "${b.teamId}", userId: "intruder", role: OWNER }) { userId } }`,
        { token: a.key },
      );
      expectErrorCode(response, 'FORBIDDEN');
    });

    it("cannot revoke another team's key, which keeps working", async () => {
      const response = await stack.request(REVOKE_API_KEY, {
        token: a.key,
        variables: { id: b.keyId },
      });
      expectErrorCode(response, 'FORBIDDEN');
      expect(response.body.data ?? null).toBeNull();
      const still = await stack.request(TEAM, { token: b.key, variables: { id: b.teamId } });
      expect(expectNoErrors(still).team.id).toBe(b.teamId);
    });

    it('lists only its own team in teams, while the admin sees every team', async () => {
      const TEAMS = typed<{ teams: Array<{ id: string }> }>('{ teams { id } }');
      const own = expectNoErrors(await stack.request(TEAMS, { token: a.key }));
      expect(own.teams).toEqual([{ id: a.teamId }]);
      const all = expectNoErrors(await stack.request(TEAMS, { token: TEST_ADMIN_KEY }));
      const ids = all.teams.map((t) => t.id);
      expect(ids).toEqual(expect.arrayContaining([a.teamId, b.teamId]));
    });
  });

  describe('scope escalation', () => {
    let team: { teamId: string; key: string };
    beforeAll(async () => {
      team = await stack.createTeamWithKey('Key makers', ['policy:admin', 'models:read']);
    });

    it.each([[['inference:invoke']], [['models:read', 'inference:invoke']], [['wallet:admin']]])(
      'refuses to mint a key with %j beyond the creator’s own scopes',
      async (scopes) => {
        const input = { teamId: team.teamId, name: 'escalated', scopes };
        const response = await stack.request(CREATE_API_KEY, {
          token: team.key,
          variables: { input },
        });
        expectErrorCode(response, 'FORBIDDEN');
        expect(response.body.data ?? null).toBeNull();
      },
    );

    it('mints a key within its own scopes whose secret then authenticates with just those', async () => {
      const created = await createKeyAs(stack, team.key, {
        teamId: team.teamId,
        scopes: ['models:read'],
      });
      expect(created.secret).toMatch(/^mg_[A-Za-z0-9_-]{32,}$/);
      expect(created.secret.startsWith(created.prefix)).toBe(true);
      const viewer = expectNoErrors(
        await gql<{ viewer: unknown }>(
          stack.url,
          '{ viewer { id memberships { team { id } scopes } } }',
          {
            token: created.secret,
          },
        ),
      );
      expect(viewer.viewer).toEqual({
        id: `key:${created.id}`,
        memberships: [{ team: { id: team.teamId }, scopes: ['models:read'] }],
      });
      const models = await stack.request<{ models: { totalCount: number } }>(
        '{ models(first: 1) { totalCount } }',
        {
          token: created.secret,
        },
      );
      expect(expectNoErrors(models).models.totalCount).toBeGreaterThan(0);
      // models:read only: it may read, but cannot mint keys itself.
      const input = { teamId: team.teamId, name: 'grandchild', scopes: ['models:read'] };
      const minted = await stack.request(CREATE_API_KEY, {
        token: created.secret,
        variables: { input },
      });
      expectErrorCode(minted, 'FORBIDDEN');
    });
  });
});
