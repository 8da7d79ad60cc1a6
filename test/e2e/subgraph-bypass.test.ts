import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import type { Principal } from '../../lib/auth/principal.js';
import { captureInternalTokens, postJson, type CapturedToken } from '../support/api-keys.js';
import { createTestKeys, orgAdmin } from '../support/identities.js';
import { startStack, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const SUBGRAPHS = ['model-catalog', 'policy', 'wallet', 'inference'];
const POLICY_INTERNAL_PATHS = ['/internal/authenticate-key', '/internal/user-grants'];
const service: Principal = { ...orgAdmin(), id: 'service:gateway', kind: 'SERVICE', roles: [] };

/** The same token with its payload rewritten and the original signature kept. */
function withPayload(
  token: string,
  change: (payload: { principal: { roles: string[] } }) => void,
): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe.each(STORE_MODES)('subgraphs reached around the gateway (%s stores)', (mode) => {
  let stack: Stack;
  let forwarded: CapturedToken;
  let serviceToken: CapturedToken;
  let foreign: { admin: string; service: string };
  const internalUrl = (path: string) => new URL(path, stack.subgraphUrls.policy).toString();

  beforeAll(async () => {
    stack = await startStack({ mode });
    const { key } = await stack.createTeamWithKey('Bypassers', ['models:read']);
    // A fresh key misses the credential cache, so the gateway also calls the key store.
    const tokens = await captureInternalTokens(stack, key);
    forwarded = tokens.find((t) => t.path === '/graphql') as CapturedToken;
    serviceToken = tokens.find((t) => t.path === '/internal/authenticate-key') as CapturedToken;
    const other = await createTestKeys();
    foreign = {
      admin: await other.signer.sign(orgAdmin(), 'forged'),
      service: await other.signer.sign(service, 'forged'),
    };
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('captured the tokens the gateway really sends', () => {
    expect(forwarded.principal).toMatchObject({ kind: 'API_KEY', roles: [] });
    expect(serviceToken.principal).toMatchObject({ id: 'service:gateway', kind: 'SERVICE' });
  });

  describe.each(SUBGRAPHS)('%s /graphql', (name) => {
    const query = { query: '{ _service { sdl } }' };

    it('answers 401 UNAUTHENTICATED without an internal token', async () => {
      const response = await postJson(stack.subgraphUrls[name] as string, query);
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body.data).toBeUndefined();
    });

    it('answers 401 to an admin token signed by another key pair', async () => {
      const response = await postJson(stack.subgraphUrls[name] as string, query, {
        [INTERNAL_TOKEN_HEADER]: foreign.admin,
      });
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('answers 401 to a real token whose principal was rewritten to an admin', async () => {
      const forged = withPayload(forwarded.token, (claims) => {
        claims.principal.roles = ['ORG_ADMIN'];
      });
      const response = await postJson(stack.subgraphUrls[name] as string, query, {
        [INTERNAL_TOKEN_HEADER]: forged,
      });
      expect(response.status).toBe(401);
    });

    it('answers a token the gateway signed (the refusals above are about the token)', async () => {
      const response = await postJson<{ data: { _service: { sdl: string } } }>(
        stack.subgraphUrls[name] as string,
        query,
        { [INTERNAL_TOKEN_HEADER]: forwarded.token },
      );
      expect(response.status).toBe(200);
      expect(response.body.data._service.sdl).toContain('@link');
    });
  });

  describe.each(POLICY_INTERNAL_PATHS)('policy %s', (path) => {
    const body = { hash: '0'.repeat(64), subject: 'someone' };

    it('answers 401 without an internal token', async () => {
      const response = await postJson(internalUrl(path), body);
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('answers 401 to a SERVICE token signed by another key pair', async () => {
      const response = await postJson(internalUrl(path), body, {
        [INTERNAL_TOKEN_HEADER]: foreign.service,
      });
      expect(response.status).toBe(401);
    });

    it('answers 403 FORBIDDEN to a valid internal token of a principal that is not a SERVICE', async () => {
      const response = await postJson(internalUrl(path), body, {
        [INTERNAL_TOKEN_HEADER]: forwarded.token,
      });
      expect(response.status).toBe(403);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it("answers the gateway's own SERVICE token", async () => {
      const response = await postJson(internalUrl(path), body, {
        [INTERNAL_TOKEN_HEADER]: serviceToken.token,
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        path === '/internal/authenticate-key'
          ? { principal: null, expiresAt: null }
          : { teams: [] },
      );
    });
  });
});
