import type { Browser, Page } from 'playwright-core';
import { publishConsoleDocuments } from '../../../console/build/publish-console.js';
import {
  DESKTOP,
  collectErrors,
  launchChromium,
  screenshots,
  seriousViolations,
} from '../../support/console-browser.js';
import { buildConsole } from '../../support/console-build.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { startTestOidcProvider, type TestOidcProvider } from '../../support/test-oidc-provider.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const ADD_MEMBER = typed<{ addTeamMember: { userId: string } }>(
  `mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { userId } }`,
);
const FLOW_TIMEOUT_MS = 120_000;

/*
 * Single sign-on in the console, in Chromium: the gateway trusts a real local OIDC provider
 * (test/support/test-oidc-provider.ts) and offers it on the sign-in screen; the browser goes
 * through its /authorize and back, and the console exchanges the code at its /token with the
 * PKCE verifier (cross-origin, so the console's CSP and the provider's CORS are both exercised).
 * Trusted documents are required, as in production: the console runs by its published ids.
 */
describe('console sign-in with SSO in Chromium', () => {
  const mode = STORE_MODES[STORE_MODES.length - 1]!;
  let idp: TestOidcProvider;
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let base: string;

  beforeAll(async () => {
    // Fails here, with the reason, when Chromium is missing: never skipped.
    browser = await launchChromium();
    await buildConsole();
    idp = await startTestOidcProvider();
    stack = await startStack({
      mode,
      gateway: {
        oidc: idp.oidc,
        trustedDocuments: { mode: 'require', cacheBytes: 1024 * 1024, negativeTtlMs: 0 },
      },
    });
    base = stack.gatewayBase;
    idp.allowRedirect(`${base}/console/callback`);
    await publishConsoleDocuments({ url: stack.url, token: TEST_ADMIN_KEY, version: 'test' });
    const { teamId } = await stack.createTeamWithKey('Research', ['models:read']);
    expectNoErrors(
      await stack.request(ADD_MEMBER, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId, userId: 'ada', role: 'MEMBER' } },
      }),
    );
    page = await browser.newPage({ viewport: DESKTOP });
    errors = collectErrors(page, base);
  }, STACK_START_TIMEOUT_MS + FLOW_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await idp?.close();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const ssoButton = () => page.getByRole('button', { name: 'Sign in with SSO', exact: true });
  const alert = () => page.getByRole('alert');
  const session = () =>
    page.evaluate(() => ({
      token: sessionStorage.getItem('modelgraph.console.token'),
      kind: sessionStorage.getItem('modelgraph.console.token-kind'),
      pending: sessionStorage.getItem('modelgraph.console.sso'),
    }));
  const navLinks = () => page.getByRole('navigation').getByRole('link').allTextContents();

  async function signInWithSso() {
    await page.goto(`${base}/console`);
    await ssoButton().click();
    await heading('Models')
      .waitFor()
      .catch(async (error: Error) => {
        throw new Error(
          `${error.message}\nat ${page.url()}:\n${await page.locator('body').innerText()}`,
        );
      });
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await ssoButton().waitFor();
  }

  it(
    'offers SSO beside the API key form, accessibly',
    async () => {
      await page.goto(`${base}/console`);
      await ssoButton().waitFor();
      await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
      expect({ violations: await seriousViolations(page) }).toEqual({ violations: [] });
      await screenshots(page, 'sign-in-sso');
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'signs a team member in through the provider and shows their team’s catalog',
    async () => {
      idp.signInAs({ sub: 'ada' });
      const exchanged = idp.tokenRequests.length;
      await signInWithSso();
      // Back at the console's home, the code and state gone from the address bar and history.
      expect(page.url()).toBe(`${base}/console/`);
      expect(idp.tokenRequests.slice(exchanged)).toEqual([{ status: 200 }]);
      const stored = await session();
      expect(stored).toMatchObject({ kind: 'sso', pending: null });
      expect(stored.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      // The token kept is the one for the gateway's audience (the access token), for ada.
      const claims = JSON.parse(
        Buffer.from(stored.token!.split('.')[1]!, 'base64url').toString('utf8'),
      ) as { aud: string; sub: string; iss: string };
      expect(claims).toMatchObject({ aud: 'modelgraph', sub: 'ada', iss: idp.issuer });
      // A screen that needs a credential: the catalog, as a MEMBER of Research sees it.
      await page.getByRole('row', { name: /local\/echo-chat/ }).waitFor();
      await expect(page.locator('header .team').textContent()).resolves.toContain('Research');
      await expect(navLinks()).resolves.not.toContain('Teams');
      await expect(navLinks()).resolves.not.toContain('API keys');
      await screenshots(page, 'sso-member');
      await signOut();
      await expect(session()).resolves.toMatchObject({ token: null, kind: null });
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'signs in an organization admin by the roles claim',
    async () => {
      idp.signInAs({ sub: 'grace', roles: ['modelgraph-user', 'modelgraph-admin'] });
      await signInWithSso();
      await expect(navLinks()).resolves.toContain('Teams');
      await page.getByRole('navigation').getByRole('link', { name: 'Teams', exact: true }).click();
      await heading('Teams').waitFor();
      await page.getByText('Research').first().waitFor();
      await signOut();
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'refuses an answer whose state is not the one this tab sent, without redeeming its code',
    async () => {
      const exchanged = idp.tokenRequests.length;
      // The provider's answer is replaced by one for another sign-in (a forged or mixed-up link).
      await page.route(`${idp.issuer}/authorize?**`, (route) =>
        route.fulfill({
          status: 302,
          headers: { location: `${base}/console/callback?code=stolen&state=forged` },
        }),
      );
      try {
        await page.goto(`${base}/console`);
        await ssoButton().click();
        await alert().filter({ hasText: 'state mismatch' }).waitFor();
      } finally {
        await page.unroute(`${idp.issuer}/authorize?**`);
      }
      expect(idp.tokenRequests.length).toBe(exchanged);
      expect(page.url()).toBe(`${base}/console/`);
      await expect(session()).resolves.toEqual({ token: null, kind: null, pending: null });
      // Still usable: the form and the button are there, and the notice is read out.
      await ssoButton().waitFor();
      expect({ violations: await seriousViolations(page) }).toEqual({ violations: [] });
      await screenshots(page, 'sso-state-mismatch');
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'says so when the person declines at the provider',
    async () => {
      idp.denyNext();
      await page.goto(`${base}/console`);
      await ssoButton().click();
      await alert().filter({ hasText: 'cancelled or refused' }).waitFor();
      expect(page.url()).toBe(`${base}/console/`);
      await expect(session()).resolves.toMatchObject({ token: null, pending: null });
    },
    FLOW_TIMEOUT_MS,
  );

  it('has logged no console errors through sign-in, sign-out and refusals', () => {
    expect(errors).toEqual([]);
  });

  /** Signs in with the provider's /token answer replaced by `answer`'s. */
  async function withTokenAnswer(
    answer: (real: { status: number; body: Record<string, unknown> }) => {
      status: number;
      body: unknown;
    },
  ) {
    await page.route(`${idp.issuer}/token`, async (route) => {
      const real = await route.fetch();
      const changed = answer({
        status: real.status(),
        body: (await real.json()) as Record<string, unknown>,
      });
      await route.fulfill({
        status: changed.status,
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
        body: JSON.stringify(changed.body),
      });
    });
    try {
      await page.goto(`${base}/console`);
      await ssoButton().click();
      await ssoButton().waitFor();
    } finally {
      await page.unroute(`${idp.issuer}/token`);
    }
  }

  it(
    'shows the token endpoint’s refusal, and refuses an id token for another sign-in',
    async () => {
      idp.signInAs({ sub: 'ada' });
      await withTokenAnswer(() => ({ status: 400, body: { error: 'invalid_grant' } }));
      await alert()
        .filter({ hasText: 'refused to complete the sign-in (invalid_grant)' })
        .waitFor();
      await expect(session()).resolves.toMatchObject({ token: null, pending: null });

      await withTokenAnswer(({ status, body }) => {
        const [header, payload, signature] = String(body.id_token).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as object;
        const forged = Buffer.from(JSON.stringify({ ...claims, nonce: 'another' })).toString(
          'base64url',
        );
        return { status, body: { ...body, id_token: `${header}.${forged}.${signature}` } };
      });
      await alert().filter({ hasText: 'nonce mismatch' }).waitFor();
      await expect(session()).resolves.toMatchObject({ token: null, pending: null });
      // What the browser logged: the refused exchange, and nothing else.
      expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
      errors.splice(0); // checked: the next test checks its own
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'goes back to sign-in with a notice once the gateway no longer accepts the token',
    async () => {
      idp.signInAs({ sub: 'ada' });
      await signInWithSso();
      // An expired token, as the gateway sees it: refused with UNAUTHENTICATED.
      await page.evaluate(() =>
        sessionStorage.setItem('modelgraph.console.token', 'eyJhbGciOiJub25lIn0.e30.c2ln'),
      );
      await page.reload();
      await alert().filter({ hasText: 'Your sign-in has expired' }).waitFor();
      await ssoButton().waitFor();
      await expect(session()).resolves.toMatchObject({ token: null, kind: null });
      // The only error the browser logs is the refused request itself.
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    },
    FLOW_TIMEOUT_MS,
  );
});
