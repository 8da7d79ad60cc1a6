import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { OidcConfig } from '../../gateway/config.js';
import { TEST_AUDIENCE } from './test-identity-provider.js';

/** The console's client id at the test provider. */
export const TEST_CONSOLE_CLIENT_ID = 'modelgraph-console';
const KID = 'oidc-key-1';

/** Who the provider signs in at /authorize: a subject and the roles claim its tokens carry. */
export interface TestOidcUser {
  sub: string;
  roles?: string[];
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  scope: string;
  user: TestOidcUser;
}

/** The S256 code challenge of a PKCE code verifier (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function send(res: ServerResponse, status: number, body: unknown, cors = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(cors ? { 'access-control-allow-origin': '*' } : {}),
  });
  res.end(text);
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/**
 * A real OpenID Connect provider over HTTP for tests, on a loopback port: discovery, JWKS, an
 * /authorize that at once sends the browser back with a code for the person set by `signInAs`
 * (or `access_denied` after `denyNext`), and a /token that checks the code, client, redirect URI
 * and PKCE verifier (S256 only) and answers, with CORS, an access token for the gateway's audience
 * and an id token for the client with its nonce, both signed with the key its JWKS publishes.
 */
export async function startTestOidcProvider(
  options: { clientId?: string; audience?: string } = {},
) {
  const clientId = options.clientId ?? TEST_CONSOLE_CLIENT_ID;
  const audience = options.audience ?? TEST_AUDIENCE;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const redirectUris = new Set<string>();
  const codes = new Map<string, PendingCode>();
  let user: TestOidcUser = { sub: 'test-user' };
  let deny = false;
  /** What /token was asked and answered, oldest first (`error` when it refused). */
  const tokenRequests: Array<{ status: number; error?: string }> = [];
  let issuer = '';

  const sign = (claims: Record<string, unknown>, sub: string, aud: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(issuer)
      .setAudience(aud)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

  const authorize = (url: URL, res: ServerResponse) => {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    // An unknown client or redirect URI is never redirected to (RFC 6749 §4.1.2.1).
    if (p.get('client_id') !== clientId || !redirectUris.has(redirectUri)) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('unknown client or redirect_uri\n');
      return;
    }
    const back = new URL(redirectUri);
    const state = p.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const challenge = p.get('code_challenge');
    if (deny) {
      deny = false;
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The person declined.');
    } else if (p.get('response_type') !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
    } else if (!challenge || p.get('code_challenge_method') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'PKCE with S256 is required.');
    } else {
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        clientId,
        redirectUri,
        challenge,
        nonce: p.get('nonce') ?? undefined,
        scope: p.get('scope') ?? '',
        user,
      });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.href });
    res.end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await formOf(req);
    const refuse = (error: string, description: string) => {
      tokenRequests.push({ status: 400, error });
      send(res, 400, { error, error_description: description }, true);
    };
    if (form.get('grant_type') !== 'authorization_code') {
      return refuse('unsupported_grant_type', 'Only authorization_code.');
    }
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code); // a code is good once, whatever the outcome
    if (!pending) return refuse('invalid_grant', 'Unknown or used code.');
    if (form.get('client_id') !== pending.clientId) {
      return refuse('invalid_client', 'Not the client the code was issued to.');
    }
    if (form.get('redirect_uri') !== pending.redirectUri) {
      return refuse('invalid_grant', 'Not the redirect_uri the code was issued for.');
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== pending.challenge) {
      return refuse('invalid_grant', 'The code_verifier does not match the code_challenge.');
    }
    const { sub, roles } = pending.user;
    const claims = roles ? { roles } : {};
    const body = {
      token_type: 'Bearer',
      expires_in: 300,
      scope: pending.scope,
      access_token: await sign(
        { ...claims, scope: pending.scope, client_id: clientId },
        sub,
        audience,
      ),
      id_token: await sign({ ...claims, nonce: pending.nonce }, sub, clientId),
    };
    tokenRequests.push({ status: 200 });
    send(res, 200, body, true);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /.well-known/openid-configuration') {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (route === 'GET /jwks') return send(res, 200, { keys: [jwk] });
    if (route === 'GET /authorize') return authorize(url, res);
    if (route === 'OPTIONS /token') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
      });
      return res.end();
    }
    if (route === 'POST /token') {
      return void token(req, res).catch((error: Error) => send(res, 500, { error: error.message }));
    }
    send(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const oidc: OidcConfig = {
    issuer,
    audience,
    jwksUrl: `${issuer}/jwks`,
    jwksFile: undefined,
    algorithms: ['RS256'],
    rolesClaim: 'roles',
    adminRole: 'modelgraph-admin',
    console: { clientId, scopes: 'openid', redirectUri: undefined },
  };
  return {
    issuer,
    clientId,
    /** The gateway's OIDC settings that trust this provider and offer it on the console. */
    oidc,
    tokenRequests,
    /** Lets /authorize send browsers back to `uri` (the console's callback). */
    allowRedirect(uri: string) {
      redirectUris.add(uri);
    },
    /** The person the next /authorize signs in. */
    signInAs(next: TestOidcUser) {
      user = next;
    },
    /** The next /authorize answers `error=access_denied`, as when a person declines. */
    denyNext() {
      deny = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TestOidcProvider = Awaited<ReturnType<typeof startTestOidcProvider>>;
