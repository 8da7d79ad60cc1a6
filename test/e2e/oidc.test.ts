import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SignJWT,
  UnsecuredJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import { credentialCacheKey } from '../../lib/auth/api-key.js';
import { ROLE_SCOPES } from '../../lib/auth/principal.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'modelgraph';
const KID = 'idp-key-1';
const VIEWER = typed<{
  viewer: {
    id: string;
    kind: string;
    roles: string[];
    memberships: Array<{ team: { id: string }; role: string | null; scopes: string[] }>;
  };
}>('{ viewer { id kind roles memberships { team { id } role scopes } } }');
const ADD_MEMBER = typed<{ addTeamMember: unknown }>(`mutation Add($input: AddTeamMemberInput!) {
  addTeamMember(input: $input) { userId role }
}`);

interface TokenOptions {
  claims?: JWTPayload;
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  key?: CryptoKey;
}

// Both store modes: the grants cache lives in the shared kv (memory or Redis) and its
// invalidation by addTeamMember is part of what is tested; a stack boots in about a second.
describe.each(STORE_MODES)('OIDC sign-in through the gateway (%s stores)', (mode) => {
  let stack: Stack;
  let dir: string;
  let signingKey: CryptoKey;
  let publicPem: string;

  /** A token from the test identity provider; every option defaults to a valid value. */
  const token = (sub: string | undefined, options: TokenOptions = {}) => {
    const jwt = new SignJWT({ ...options.claims })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m');
    if (sub !== undefined) jwt.setSubject(sub);
    return jwt.sign(options.key ?? signingKey);
  };
  const expectRefused = async (credential: string) => {
    const response = await stack.request(VIEWER, { token: credential });
    expect(response.status).toBe(401);
    expectErrorCode(response, 'UNAUTHENTICATED');
    expect(response.body.data).toBeUndefined();
  };

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    signingKey = privateKey;
    publicPem = await exportSPKI(publicKey);
    dir = await mkdtemp(join(tmpdir(), 'modelgraph-oidc-'));
    const jwksFile = join(dir, 'jwks.json');
    const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    stack = await startStack({
      mode,
      gateway: {
        oidc: {
          issuer: ISSUER,
          audience: AUDIENCE,
          jwksFile,
          jwksUrl: undefined,
          algorithms: ['RS256'],
          rolesClaim: 'roles',
          adminRole: 'modelgraph-admin',
        },
      },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs in a person with no memberships, who may not read models', async () => {
    const alice = await token('alice');
    const data = expectNoErrors(await stack.request(VIEWER, { token: alice }));
    expect(data.viewer).toEqual({ id: 'user:alice', kind: 'USER', roles: [], memberships: [] });
    const models = await stack.request('{ models { totalCount } }', { token: alice });
    expectErrorCode(models, 'FORBIDDEN');
    expect(models.body.data ?? null).toBeNull();
  });

  it('sees a new membership on the very next request, with the role’s scopes', async () => {
    const { teamId } = await stack.createTeamWithKey('Alice’s team', ['models:read']);
    const bob = await token('bob');
    expect(expectNoErrors(await stack.request(VIEWER, { token: bob })).viewer.memberships).toEqual(
      [],
    );
    // Bob's (empty) grants are cached now; adding him must invalidate them.
    expect(await stack.kv.get(credentialCacheKey.user('bob'))).toBe('[]');

    const added = await stack.request(ADD_MEMBER, {
      token: TEST_ADMIN_KEY,
      variables: { input: { teamId, userId: 'bob', role: 'MEMBER' } },
    });
    expect(expectNoErrors(added).addTeamMember).toEqual({ userId: 'bob', role: 'MEMBER' });

    const data = expectNoErrors(await stack.request(VIEWER, { token: bob }));
    expect(data.viewer.memberships).toEqual([
      { team: { id: teamId }, role: 'MEMBER', scopes: [...ROLE_SCOPES.MEMBER] },
    ]);
    const models = await stack.request<{ models: { totalCount: number } }>(
      '{ models { totalCount } }',
      {
        token: bob,
      },
    );
    expect(expectNoErrors(models).models.totalCount).toBeGreaterThan(0);
    // MEMBER holds no policy:admin: the team's keys stay hidden from bob.
    const keys = await stack.request('query($id: ID!) { team(id: $id) { apiKeys { id } } }', {
      token: bob,
      variables: { id: teamId },
    });
    expectErrorCode(keys, 'FORBIDDEN');
  });

  it('lets a team ADMIN add people up to, but not above, their own role', async () => {
    const { teamId } = await stack.createTeamWithKey('Carol’s team', ['models:read']);
    expectNoErrors(
      await stack.request(ADD_MEMBER, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId, userId: 'carol', role: 'ADMIN' } },
      }),
    );
    const carol = await token('carol');
    const asAdmin = await stack.request(ADD_MEMBER, {
      token: carol,
      variables: { input: { teamId, userId: 'dave', role: 'ADMIN' } },
    });
    expect(expectNoErrors(asAdmin).addTeamMember).toEqual({ userId: 'dave', role: 'ADMIN' });
    const asOwner = await stack.request(ADD_MEMBER, {
      token: carol,
      variables: { input: { teamId, userId: 'erin', role: 'OWNER' } },
    });
    expectErrorCode(asOwner, 'FORBIDDEN');
  });

  it.each([
    ['a list', ['modelgraph-user', 'modelgraph-admin']],
    ['a space-separated string', 'modelgraph-user modelgraph-admin'],
  ])('makes a holder of the admin role (as %s) an ORG_ADMIN', async (_label, roles) => {
    const admin = await token('root', { claims: { roles } });
    const data = expectNoErrors(await stack.request(VIEWER, { token: admin }));
    expect(data.viewer).toMatchObject({ id: 'user:root', kind: 'USER', roles: ['ORG_ADMIN'] });
    const teams = await stack.request<{ teams: unknown[] }>('{ teams { id } }', { token: admin });
    expect(expectNoErrors(teams).teams.length).toBeGreaterThan(0);
  });

  it('does not make holders of other roles admins', async () => {
    const user = await token('mallory', { claims: { roles: ['modelgraph-user', 'admin'] } });
    expect(expectNoErrors(await stack.request(VIEWER, { token: user })).viewer.roles).toEqual([]);
    const created = await stack.request(
      'mutation { createTeam(input: { name: "Mallory" }) { id } }',
      {
        token: user,
      },
    );
    expectErrorCode(created, 'FORBIDDEN');
  });

  describe('refuses with 401', () => {
    it('a token for another audience', async () => {
      await expectRefused(await token('alice', { audience: 'another-app' }));
    });

    it('a token from another issuer', async () => {
      await expectRefused(await token('alice', { issuer: 'https://evil.test' }));
    });

    it('an expired token', async () => {
      const past = Math.floor(Date.now() / 1000) - 60;
      await expectRefused(await token('alice', { expiresIn: past }));
    });

    it('a token not yet valid', async () => {
      await expectRefused(
        await token('alice', { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }),
      );
    });

    it('a token signed by another key under the same kid', async () => {
      const other = await generateKeyPair('RS256');
      await expectRefused(await token('alice', { key: other.privateKey }));
    });

    it('an admin token whose payload was altered after signing', async () => {
      const [header, , signature] = (await token('alice')).split('.');
      const payload = Buffer.from(
        JSON.stringify({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, roles: ['modelgraph-admin'] }),
      ).toString('base64url');
      await expectRefused(`${header}.${payload}.${signature}`);
    });

    it('an unsigned (alg none) token, with or without a signature part', async () => {
      const unsigned = new UnsecuredJWT({ roles: ['modelgraph-admin'] })
        .setSubject('root')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .encode();
      await expectRefused(unsigned);
      await expectRefused(`${unsigned}AAAA`);
    });

    it('an HS256 token keyed with the public key (algorithm confusion)', async () => {
      const forged = await new SignJWT({ roles: ['modelgraph-admin'] })
        .setProtectedHeader({ alg: 'HS256', kid: KID })
        .setSubject('root')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(publicPem));
      await expectRefused(forged);
    });

    it('a token without a subject', async () => {
      await expectRefused(await token(undefined));
    });
  });
});
