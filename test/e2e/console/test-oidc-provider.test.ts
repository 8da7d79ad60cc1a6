import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  TEST_CONSOLE_CLIENT_ID,
  s256,
  startTestOidcProvider,
  type TestOidcProvider,
} from '../../support/test-oidc-provider.js';

const REDIRECT = 'http://127.0.0.1:1/console/callback';

/*
 * The test identity provider the console's SSO test relies on must be as strict as a real one,
 * or that test would pass against a console that skips PKCE.
 */
describe('the test OIDC provider', () => {
  let idp: TestOidcProvider;

  beforeAll(async () => {
    idp = await startTestOidcProvider();
    idp.allowRedirect(REDIRECT);
    idp.signInAs({ sub: 'ada', roles: ['modelgraph-admin'] });
  });
  afterAll(() => idp.close());

  /** A code from /authorize for `challenge`, as the browser would carry it back. */
  async function authorize(params: Record<string, string>) {
    const url = new URL(`${idp.issuer}/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: TEST_CONSOLE_CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
      nonce: 'n1',
      code_challenge_method: 'S256',
      ...params,
    })) {
      url.searchParams.set(k, v);
    }
    const response = await fetch(url, { redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location') };
  }

  async function code(verifier: string) {
    const { location } = await authorize({ code_challenge: s256(verifier) });
    const back = new URL(location!);
    expect(back.searchParams.get('state')).toBe('s1');
    return back.searchParams.get('code')!;
  }

  const exchange = (form: Record<string, string>) =>
    fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://x.test' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: TEST_CONSOLE_CLIENT_ID,
        redirect_uri: REDIRECT,
        ...form,
      }),
    });

  it('exchanges a code for the right verifier: tokens signed with the published key', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const response = await exchange({ code: await code(verifier), code_verifier: verifier });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await response.json()) as { access_token: string; id_token: string };
    const keys = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const access = await jwtVerify(body.access_token, keys, {
      issuer: idp.issuer,
      audience: 'modelgraph',
    });
    expect(access.payload).toMatchObject({ sub: 'ada', roles: ['modelgraph-admin'] });
    const id = await jwtVerify(body.id_token, keys, {
      issuer: idp.issuer,
      audience: TEST_CONSOLE_CLIENT_ID,
    });
    expect(id.payload.nonce).toBe('n1');
  });

  it('refuses a wrong verifier, and the code is spent after it', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const issued = await code(verifier);
    const wrong = await exchange({
      code: issued,
      code_verifier: randomBytes(48).toString('base64url'),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const again = await exchange({ code: issued, code_verifier: verifier });
    expect(again.status).toBe(400);
  });

  it.each([
    ['no verifier', (v: string) => ({ code_verifier: v }), () => ({ code_verifier: '' })],
    ['another redirect_uri', () => ({}), () => ({ redirect_uri: 'http://127.0.0.1:2/cb' })],
    ['another client', () => ({}), () => ({ client_id: 'someone-else' })],
  ])('refuses a code with %s', async (_label, right, changed) => {
    const verifier = randomBytes(48).toString('base64url');
    const response = await exchange({
      code: await code(verifier),
      code_verifier: verifier,
      ...right(verifier),
      ...changed(),
    });
    expect(response.status).toBe(400);
  });

  it('answers /authorize without PKCE with an error, and never redirects to an unknown URI', async () => {
    const plain = await authorize({ code_challenge: 'abc', code_challenge_method: 'plain' });
    expect(new URL(plain.location!).searchParams.get('error')).toBe('invalid_request');
    const elsewhere = await authorize({
      code_challenge: 'abc',
      redirect_uri: 'https://evil.test/cb',
    });
    expect(elsewhere).toEqual({ status: 400, location: null });
  });
});
