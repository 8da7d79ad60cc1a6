import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpService } from '../../lib/http/http-server.js';
import { createLogger } from '../../lib/logging.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import {
  startTestOidcProvider,
  type TestOidcProvider,
} from '../../test/support/test-oidc-provider.js';
import { createConsoleSignIn, type ConsoleSignIn } from '../auth/console-sign-in.js';
import { consoleRoutes } from './console.js';

const PAGE =
  '<!doctype html><title>console</title><script src="/console/assets/index-abc.js"></script>';

const logger = createLogger({ service: 'console-test', level: 'silent' });

async function serve(dir: string, signIn?: () => Promise<ConsoleSignIn>) {
  const service = createHttpService({
    service: 'console-test',
    logger,
    metrics: createServiceMetrics('console-test'),
    routes: consoleRoutes(dir, signIn),
  });
  const port = await service.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, stop: () => service.close(1_000) };
}

describe('the console route', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, '.vite'));
    writeFileSync(join(dir, 'index.html'), PAGE);
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1);');
    writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dir, '.vite', 'manifest.json'), '{}');
    writeFileSync(join(dir, 'persisted-query-manifest.json'), '{"operations":[]}');
    server = await serve(dir);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the page, uncached and closed to other origins, at /console and every screen', async () => {
    for (const path of ['/console', '/console/', '/console/wallet', '/console/keys/new']) {
      const response = await fetch(`${server.base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toBe(PAGE);
    }
  });

  it('serves hashed assets with their type, cached for good', async () => {
    const script = await fetch(`${server.base}/console/assets/index-abc.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log(1);');
    const style = await fetch(`${server.base}/console/assets/index-abc.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404, never the page, for a file it does not have or must not show', async () => {
    for (const path of [
      '/console/assets/missing.js',
      '/console/.vite/manifest.json',
      '/console/%2e%2e/package.json',
      '/console/..%2fpackage.json',
      '/console/favicon.ico',
    ]) {
      const response = await fetch(`${server.base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  it('says how to build the console when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-none-'));
    const unbuilt = await serve(empty);
    try {
      const response = await fetch(`${unbuilt.base}/console`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run console:build');
    } finally {
      await unbuilt.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the console sign-in configuration and CSP', () => {
  const STRICT =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  let dir: string;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    writeFileSync(join(dir, 'index.html'), PAGE);
    idp = await startTestOidcProvider();
  });
  afterAll(async () => {
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function fetchBoth(signIn: () => Promise<ConsoleSignIn>) {
    const server = await serve(dir, signIn);
    try {
      const config = await fetch(`${server.base}/console/config.json`);
      const page = await fetch(`${server.base}/console/callback?code=x&state=y`);
      return {
        status: config.status,
        type: config.headers.get('content-type'),
        cache: config.headers.get('cache-control'),
        body: (await config.json()) as ConsoleSignIn,
        csp: page.headers.get('content-security-policy'),
        page: await page.text(),
      };
    } finally {
      await server.stop();
    }
  }

  it('offers no SSO and keeps the strict policy when OIDC is not configured', async () => {
    const got = await fetchBoth(createConsoleSignIn(undefined, { logger }));
    expect(got).toMatchObject({ status: 200, cache: 'no-cache', body: { sso: null }, csp: STRICT });
    expect(got.type).toMatch(/^application\/json/);
    // OIDC tokens accepted, but no console client: still no SSO button.
    const noClient = await fetchBoth(
      createConsoleSignIn({ ...idp.oidc, console: undefined }, { logger }),
    );
    expect(noClient.body).toEqual({ sso: null });
    expect(noClient.csp).toBe(STRICT);
  });

  it('gives the discovered endpoints and allows the token endpoint, and only it, in connect-src', async () => {
    const got = await fetchBoth(createConsoleSignIn(idp.oidc, { logger }));
    expect(got.body).toEqual({
      sso: {
        status: 'available',
        issuer: idp.issuer,
        authorizationEndpoint: `${idp.issuer}/authorize`,
        tokenEndpoint: `${idp.issuer}/token`,
        clientId: idp.clientId,
        scopes: 'openid',
        redirectUri: null,
        audience: 'modelgraph',
      },
    });
    expect(got.csp).toBe(
      STRICT.replace(
        "style-src 'self'",
        `style-src 'self'; connect-src 'self' ${idp.issuer}/token`,
      ),
    );
    expect(got.page).toBe(PAGE);
  });

  it('passes on the configured scopes and redirect URI', async () => {
    const console = { clientId: 'c1', scopes: 'openid email', redirectUri: 'https://x.test/cb' };
    const got = await fetchBoth(createConsoleSignIn({ ...idp.oidc, console }, { logger }));
    expect(got.body.sso).toMatchObject({
      clientId: 'c1',
      scopes: 'openid email',
      redirectUri: 'https://x.test/cb',
    });
  });

  it.each([
    ['is unreachable', () => ({ ...idp.oidc, issuer: 'http://127.0.0.1:9' })],
    ['names another issuer', () => ({ ...idp.oidc, issuer: `${idp.issuer}/` })],
  ])('says SSO is unavailable, with the strict policy, when discovery %s', async (_l, oidc) => {
    const got = await fetchBoth(createConsoleSignIn(oidc(), { logger }));
    expect(got.body).toEqual({ sso: { status: 'unavailable' } });
    expect(got.csp).toBe(STRICT);
  });

  it('refuses endpoints that are not https, or would break out of the policy', async () => {
    const forged = (document: Record<string, unknown>) => async () =>
      new Response(
        JSON.stringify({
          issuer: idp.issuer,
          authorization_endpoint: 'https://idp.example/authorize',
          token_endpoint: 'https://idp.example/token',
          ...document,
        }),
      );
    const cases = [
      { token_endpoint: 'http://idp.example/token' },
      { token_endpoint: "https://idp.example/token; script-src 'unsafe-inline'" },
      { authorization_endpoint: 'javascript:alert(1)' },
      { code_challenge_methods_supported: ['plain'] },
    ];
    for (const document of cases) {
      const signIn = createConsoleSignIn(idp.oidc, { logger, fetch: forged(document) });
      expect({ document, got: await signIn() }).toEqual({
        document,
        got: { sso: { status: 'unavailable' } },
      });
    }
    const fine = createConsoleSignIn(idp.oidc, { logger, fetch: forged({}) });
    expect((await fine()).sso).toMatchObject({ tokenEndpoint: 'https://idp.example/token' });
  });

  it('keeps the last good endpoints when a refresh fails', async () => {
    let up = true;
    let now = 0;
    let calls = 0;
    const signIn = createConsoleSignIn(idp.oidc, {
      logger,
      now: () => now,
      fetch: async (url, init) => {
        calls += 1;
        if (!up) throw new Error('connection refused');
        return fetch(url, init);
      },
    });
    const first = await signIn();
    expect(first.sso?.status).toBe('available');
    await signIn();
    expect(calls).toBe(1); // read once, then kept
    up = false;
    now += 2 * 60 * 60 * 1000;
    expect(await signIn()).toEqual(first);
    expect(calls).toBe(2);
  });
});
