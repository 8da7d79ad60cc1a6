import { NO_PRINCIPAL, credentialCacheKey, hashApiKey } from '../../lib/auth/api-key.js';
import { CREATE_API_KEY, REVOKE_API_KEY, createKeyAs } from '../support/api-keys.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed } from '../support/typed-document.js';
import { clockPasses } from '../support/eventually.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const VIEWER = typed<{ viewer: { id: string } }>('{ viewer { id } }');
const API_KEY_FIELDS = [
  'createdAt',
  'createdBy',
  'expiresAt',
  'id',
  'lastUsedAt',
  'name',
  'prefix',
  'revokedAt',
  'scopes',
  'team',
];

describe.each(STORE_MODES)('API key revocation, expiry and listing (%s stores)', (mode) => {
  let stack: Stack;
  let team: { teamId: string; key: string; keyId: string };
  const cacheKeyOf = (secret: string) => credentialCacheKey.apiKey(hashApiKey(secret));
  const expectRefused = async (secret: string) => {
    const response = await stack.request(VIEWER, { token: secret });
    expect(response.status).toBe(401);
    expectErrorCode(response, 'UNAUTHENTICATED');
  };

  beforeAll(async () => {
    stack = await startStack({ mode });
    team = await stack.createTeamWithKey('Key owners', ['models:read', 'policy:admin']);
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  describe('revocation', () => {
    it('refuses a revoked key on the very next request, though it was cached', async () => {
      const key = await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read'],
      });
      const before = expectNoErrors(await stack.request(VIEWER, { token: key.secret }));
      expect(before.viewer.id).toBe(`key:${key.id}`);
      const cached = await stack.kv.get(cacheKeyOf(key.secret));
      expect(cached).not.toBeNull();
      expect(JSON.parse(cached as string).principal.id).toBe(`key:${key.id}`);

      const revoked = expectNoErrors(
        await stack.request(REVOKE_API_KEY, { token: TEST_ADMIN_KEY, variables: { id: key.id } }),
      );
      expect(revoked.revokeApiKey.id).toBe(key.id);
      expect(Date.parse(revoked.revokeApiKey.revokedAt)).not.toBeNaN();

      await expectRefused(key.secret);
      expect(await stack.kv.get(cacheKeyOf(key.secret))).toBe(NO_PRINCIPAL);
      // Without the cache entry the key store refuses it too.
      await stack.kv.del(cacheKeyOf(key.secret));
      await expectRefused(key.secret);

      // Revoking again changes nothing: the first revocation time stands.
      const again = expectNoErrors(
        await stack.request(REVOKE_API_KEY, { token: TEST_ADMIN_KEY, variables: { id: key.id } }),
      );
      expect(again.revokeApiKey.revokedAt).toBe(revoked.revokeApiKey.revokedAt);
    });

    it('is not resurrected by a cache fill that raced the revocation', async () => {
      const key = await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read'],
      });
      let raced = false;
      const unwatch = stack.serviceCalls.watch({
        async afterAnswer(call) {
          if (raced || !call.path.endsWith('/internal/authenticate-key')) return;
          raced = true;
          // The key store said "valid"; the key is revoked before the gateway caches that.
          const revoke = { token: TEST_ADMIN_KEY, variables: { id: key.id } };
          expectNoErrors(await stack.request(REVOKE_API_KEY, revoke));
        },
      });
      try {
        // In flight when revoked: this one request may still pass.
        expectNoErrors(await stack.request(VIEWER, { token: key.secret }));
      } finally {
        unwatch();
      }
      expect(raced).toBe(true);
      expect(await stack.kv.get(cacheKeyOf(key.secret))).toBe(NO_PRINCIPAL);
      await expectRefused(key.secret);
    });

    it("lets a team's own policy:admin key revoke the team's keys", async () => {
      const key = await createKeyAs(stack, team.key, {
        teamId: team.teamId,
        scopes: ['models:read'],
      });
      expectNoErrors(await stack.request(VIEWER, { token: key.secret }));
      expectNoErrors(
        await stack.request(REVOKE_API_KEY, { token: team.key, variables: { id: key.id } }),
      );
      await expectRefused(key.secret);
    });

    it('answers a team admin FORBIDDEN for an unknown key id, as for another team key', async () => {
      const { key: teamAdmin } = await stack.createTeamWithKey('Prober', ['policy:admin']);
      const unknown = await stack.request(REVOKE_API_KEY, {
        token: teamAdmin,
        variables: { id: '00000000-0000-4000-8000-000000000001' },
      });
      expectErrorCode(unknown, 'FORBIDDEN');
    });

    it('answers NOT_FOUND for an unknown key id and BAD_USER_INPUT for a malformed one', async () => {
      const unknown = await stack.request(REVOKE_API_KEY, {
        token: TEST_ADMIN_KEY,
        variables: { id: '00000000-0000-4000-8000-000000000000' },
      });
      expectErrorCode(unknown, 'NOT_FOUND');
      expect(unknown.body.data ?? null).toBeNull();
      const malformed = await stack.request(REVOKE_API_KEY, {
        token: TEST_ADMIN_KEY,
        variables: { id: 'not-a-uuid' },
      });
      expectErrorCode(malformed, 'BAD_USER_INPUT');
    });
  });

  describe('expiry', () => {
    it('refuses an expiry in the past with BAD_USER_INPUT', async () => {
      const input = {
        teamId: team.teamId,
        name: 'stale',
        scopes: ['models:read'],
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      };
      const response = await stack.request(CREATE_API_KEY, {
        token: TEST_ADMIN_KEY,
        variables: { input },
      });
      expectErrorCode(response, 'BAD_USER_INPUT');
    });

    it('works until expiresAt and is refused after it, cached or not', async () => {
      // Long enough that a busy machine still uses two keys before they expire.
      const life = 4_000;
      const expiresAt = new Date(Date.now() + life);
      const make = () =>
        createKeyAs(stack, TEST_ADMIN_KEY, {
          teamId: team.teamId,
          scopes: ['models:read'],
          expiresAt: expiresAt.toISOString(),
        });
      const [cached, stretched, neverUsed] = await Promise.all([make(), make(), make()]);

      for (const key of [cached, stretched]) {
        expectNoErrors(await stack.request(VIEWER, { token: key.secret }));
        const pttl = await stack.kv.pttl(cacheKeyOf(key.secret));
        // The gateway never caches a key for longer than it has left to live.
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(life);
      }
      // As if a replica with a slow clock had cached it for longer than it lives: the gateway
      // must still check expiresAt itself.
      const entry = (await stack.kv.get(cacheKeyOf(stretched.secret))) as string;
      await stack.kv.set(cacheKeyOf(stretched.secret), entry, { ttlMs: 60_000 });

      await clockPasses(expiresAt.getTime() + 150);

      await expectRefused(cached.secret);
      await expectRefused(stretched.secret);
      expect(await stack.kv.get(cacheKeyOf(neverUsed.secret))).toBeNull();
      await expectRefused(neverUsed.secret);
    });
  });

  describe('listing', () => {
    it('shows keys with their prefix but never a secret or hash', async () => {
      const key = await createKeyAs(stack, team.key, {
        teamId: team.teamId,
        name: 'listed',
        scopes: ['models:read'],
      });
      const response = await stack.request<{
        team: { apiKeys: Array<{ id: string; prefix: string } & Record<string, unknown>> };
      }>(
        `query($id: ID!) { team(id: $id) { apiKeys {
           id name prefix scopes createdBy createdAt expiresAt revokedAt lastUsedAt team { id }
         } } }`,
        { token: team.key, variables: { id: team.teamId } },
      );
      const listed = expectNoErrors(response).team.apiKeys;
      const entry = listed.find((k) => k.id === key.id)!;
      expect(Object.keys(entry).sort()).toEqual(API_KEY_FIELDS);
      expect(entry).toMatchObject({
        name: 'listed',
        prefix: key.prefix,
        createdBy: `key:${team.keyId}`,
      });
      expect(key.secret.startsWith(entry.prefix)).toBe(true);
      expect(entry.prefix.length).toBeLessThan(key.secret.length / 2);
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(key.secret);
      expect(text).not.toContain(hashApiKey(key.secret));
      expect(text).not.toContain(hashApiKey(team.key));
    });

    it('has no field through which a secret or hash could be asked for', async () => {
      const type = expectNoErrors(
        await stack.request<{ __type: { fields: Array<{ name: string }> } }>(
          '{ __type(name: "ApiKey") { fields { name } } }',
          {
            token: TEST_ADMIN_KEY,
          },
        ),
      );
      const names = type.__type.fields.map((f) => f.name).sort();
      expect(names).toEqual(API_KEY_FIELDS);
      for (const field of ['secret', 'hash', 'keyHash']) {
        const response = await stack.request(
          `query($id: ID!) { team(id: $id) { apiKeys { ${field} } } }`,
          {
            token: TEST_ADMIN_KEY,
            variables: { id: team.teamId },
          },
        );
        expectErrorCode(response, 'GRAPHQL_VALIDATION_FAILED');
      }
    });

    it('lists keys only to policy:admin in the team', async () => {
      const reader = await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read'],
      });
      const response = await stack.request<{ team: { apiKeys: unknown } | null }>(
        'query($id: ID!) { team(id: $id) { name apiKeys { id } } }',
        {
          token: reader.secret,
          variables: { id: team.teamId },
        },
      );
      expectErrorCode(response, 'FORBIDDEN');
      expect(response.body.data?.team?.apiKeys ?? null).toBeNull();
    });
  });
});
