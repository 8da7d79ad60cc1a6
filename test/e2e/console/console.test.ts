import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { INITIAL_JS_BUDGET_BYTES, initialJavaScript } from '../../../console/build/bundle-size.js';
import { CONSOLE_CLIENT_NAME, CONSOLE_MANIFEST } from '../../../console/build/paths.js';
import { publishConsoleDocuments } from '../../../console/build/publish-console.js';
import { startBillingStack, type BillingStack } from '../../support/billing-stack.js';
import {
  DESKTOP,
  collectErrors,
  launchChromium,
  phoneOverflow,
  screenshots,
  seriousViolations,
} from '../../support/console-browser.js';
import { buildConsole } from '../../support/console-build.js';
import { eventually } from '../../support/eventually.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const ALLOW = typed<{ setModelAccess: { id: string } }>(
  `mutation($i: ModelAccessInput!) { setModelAccess(input: $i) { id } }`,
);
interface Manifest {
  operations: Array<{ id: string; name: string }>;
}
const FLOW_TIMEOUT_MS = 120_000;
/**
 * The browser's time zone: far behind UTC, so a UTC midnight is the previous day there and a chart
 * drawn in local time would not match the tables (which are in UTC).
 */
const BROWSER_TIME_ZONE = 'Pacific/Pago_Pago';
/** The local model's pause between streamed words: the playground shows the stream in progress. */
const STREAM_DELAY_MS = 100;

/*
 * The console in a real browser against a real platform (gateway, every subgraph, the Stripe
 * emulator's checkout page), with trusted documents required: everything it does goes by the
 * ids it published. One stack per store mode of the run, each with one page driven through the
 * flows in order. The whole flow on the second mode added ~20 s of CPU to this file (28-31 s on
 * one mode, 48 s on both, measured on the shared 2-core machine: decision 95), within what a
 * second mode may add, so there is no shorter smoke variant.
 */
describe.each(STORE_MODES)('the web console in Chromium (%s stores)', (mode) => {
  let billing: BillingStack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let base: string;
  let team: { teamId: string; token: string };
  let member: { key: string };
  /** What the playground's chat was charged (the team's only call). */
  let chatCost: bigint;
  /** The console's published operations: read once the build (a fresh checkout has none) made it. */
  let manifest: Manifest;

  beforeAll(async () => {
    // Fails here, with the reason, when Chromium is missing: never skipped.
    browser = await launchChromium();
    await buildConsole();
    manifest = JSON.parse(readFileSync(CONSOLE_MANIFEST, 'utf8')) as Manifest;
    billing = await startBillingStack(mode, {
      stack: {
        gateway: {
          trustedDocuments: { mode: 'require', cacheBytes: 1024 * 1024, negativeTtlMs: 0 },
        },
        inference: { settings: { localStreamDelayMs: STREAM_DELAY_MS } },
      },
    });
    base = billing.stack.gatewayBase;
    await publishConsoleDocuments({
      url: billing.stack.url,
      token: TEST_ADMIN_KEY,
      version: 'test',
    });
    team = await billing.createTeam('Console', [
      'models:read',
      'inference:invoke',
      'wallet:read',
      'wallet:admin',
      'policy:admin',
    ]);
    expectNoErrors(
      await billing.stack.request(ALLOW, {
        token: TEST_ADMIN_KEY,
        variables: { i: { teamId: team.teamId, effect: 'ALLOW', subject: 'ANY' } },
      }),
    );
    member = await billing.stack.createTeamWithKey('Console members', [
      'models:read',
      'inference:invoke',
      'wallet:read',
    ]);
    page = await browser.newPage({ viewport: DESKTOP, timezoneId: BROWSER_TIME_ZONE });
    errors = collectErrors(page, base);
  }, STACK_START_TIMEOUT_MS + FLOW_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await billing?.stop();
  });

  /**
   * Checks the screen as it is now with axe and, at phone size, that it does not scroll sideways
   * (tables turn into cards there); saves its screenshots.
   */
  async function inspect(name: string) {
    expect({ name, violations: await seriousViolations(page) }).toEqual({ name, violations: [] });
    expect({ name, overflow: await phoneOverflow(page) }).toEqual({ name, overflow: 0 });
    await screenshots(page, `${name}-${mode}`);
  }

  /** What the console's published operation `name` answers with `token` (full queries are refused here). */
  async function persisted<D>(name: string, token: string, variables: object = {}) {
    const { id } = manifest.operations.find((o) => o.name === name)!;
    const response = await fetch(billing.stack.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'apollographql-client-name': CONSOLE_CLIENT_NAME,
      },
      body: JSON.stringify({
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: id } },
      }),
    });
    return (await response.json()) as {
      data?: D;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
  }

  const viewerWith = (token: string) =>
    persisted<{ viewer: { id: string } }>('ConsoleViewer', token);

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const micros = async (testId: string) =>
    BigInt((await page.getByTestId(testId).locator('[data-micros]').getAttribute('data-micros'))!);

  async function signIn(key: string) {
    await page.goto(`${base}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Models').waitFor();
  }

  async function open(link: string, title = link) {
    await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
    await heading(title).waitFor();
  }

  async function postedBalance() {
    // Opening the screen shown already reads nothing again: leave it first.
    if (new URL(page.url()).pathname === '/console/wallet') await open('Models');
    await open('Wallet');
    await page.getByTestId('posted').waitFor();
    return micros('posted');
  }

  it(
    'signs in with a key and shows the catalog with what the team may use',
    async () => {
      await page.goto(`${base}/console`);
      await page.getByLabel('API key').waitFor();
      await inspect('sign-in');
      await signIn(team.token);
      // Keyboard: the first Tab reaches the skip link, which moves focus to the screen.
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
        'Skip to content',
      );
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
      const row = page.getByRole('row', { name: /local\/echo-chat/ });
      await expect(row.textContent()).resolves.toContain('Allowed');
      await inspect('models');
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'creates an API key, shows its secret once, and revokes it',
    async () => {
      await open('API keys');
      await inspect('api-keys');
      await page.getByLabel('Name').fill('browser key');
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = (await page.getByTestId('new-secret').textContent())!;
      expect(secret).toMatch(/^mg_/);
      expect((await viewerWith(secret)).data?.viewer.id).toBeTruthy();
      await inspect('api-key-created');
      await page.getByRole('button', { name: 'I have copied it' }).click();
      expect(await page.content()).not.toContain(secret);
      await page.reload();
      await heading('API keys').waitFor();
      await page.getByRole('row', { name: /browser key/ }).waitFor();
      expect(await page.content()).not.toContain(secret);

      await page.getByRole('button', { name: 'Revoke browser key' }).click();
      await page.getByRole('row', { name: /browser key.*Revoked/ }).waitFor();
      const refused = await eventually(
        'the revoked key is refused',
        async () => (await viewerWith(secret)).errors,
        { timeoutMs: 10_000 },
      );
      expect(refused[0]?.extensions?.code).toBe('UNAUTHENTICATED');

      // Both are in the team's audit log, for its admins.
      await open('Audit log');
      await page.getByRole('cell', { name: 'API_KEY_REVOKED' }).first().waitFor();
      await page.getByRole('cell', { name: 'API_KEY_CREATED' }).first().waitFor();
      await inspect('audit-log');
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'buys credits in test mode and sees them arrive in the wallet',
    async () => {
      const before = await postedBalance();
      await inspect('wallet');
      await open('Buy credits');
      // The first pack is chosen; what it buys is on its label.
      await expect(page.getByRole('radio').first().isChecked()).resolves.toBe(true);
      const credits = BigInt(
        (await page
          .locator('.choice')
          .first()
          .locator('[data-micros]')
          .getAttribute('data-micros'))!,
      );
      await inspect('buy-credits');
      await page.getByRole('button', { name: 'Go to payment' }).click();
      await page.getByRole('button', { name: 'Pay with test card' }).click();
      await heading('Wallet').waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/wallet');
      // The wallet reads itself again until the provider's event granted the credits. Generous
      // waits: on a loaded CI machine the event's grant once landed after 30 s (a busy machine is
      // slow, not broken), and a late grant would then upset the next test's balance.
      await page.getByRole('status').getByText('Payment received').waitFor({ timeout: 60_000 });
      await eventually(
        'the bought credits are in the wallet',
        async () => ((await micros('posted')) === before + credits ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 250 },
      );

      // Auto-recharge: a payment method saved at the provider's page, then turned on.
      await open('Buy credits');
      await page.getByRole('button', { name: 'Save a payment method' }).click();
      await page.getByRole('button', { name: 'Save test card' }).click();
      await heading('Buy credits').waitFor();
      const status = page.getByTestId('auto-recharge-status');
      await status.getByText('A payment method is saved.').waitFor({ timeout: 30_000 });
      await page.getByLabel('Recharge automatically').check();
      await page.getByLabel(/falls below/).fill('1');
      await page.getByRole('button', { name: 'Save auto-recharge' }).click();
      await status.getByText(/Status: ready\./).waitFor();
      await inspect('auto-recharge');
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'streams a chat with running tokens and an estimate, then the balance drops by exactly the charged cost',
    async () => {
      const before = await postedBalance();
      await open('Playground');
      await page.getByLabel('Model').selectOption('local/echo-chat');
      // A message of its own: a cached reply would be replayed at once, not streamed.
      await page.getByLabel('Message').fill(`Hello from the browser, run ${randomUUID()}`);
      await inspect('playground');
      await page.getByRole('button', { name: 'Send' }).click();
      // While it streams (the local model pauses between words): tokens so far and a running
      // cost estimate, read in one step in the page so the state cannot change in between.
      const running = await page.waitForFunction(() => {
        const shown = document.querySelector<HTMLElement>('[data-testid="running-estimate"]');
        if (!shown || Number(shown.dataset.tokens) === 0) return undefined;
        return {
          tokens: Number(shown.dataset.tokens),
          micros: shown.querySelector<HTMLElement>('[data-micros]')?.dataset.micros,
          text: shown.textContent,
          done: document.querySelector('.summary') !== null,
        };
      });
      const midway = (await running.jsonValue())!;
      expect(midway.tokens).toBeGreaterThan(0);
      expect(BigInt(midway.micros!)).toBeGreaterThan(0n);
      expect(midway.text).toMatch(/^Streaming… \d+ output tokens so far, estimated cost/);
      expect(midway.done).toBe(false);
      const summary = page.getByRole('status').getByText(/^Done\./);
      await summary.waitFor();
      // The charged cost replaced the estimate.
      await expect(page.getByTestId('running-estimate').count()).resolves.toBe(0);
      await expect(page.locator('.reply').textContent()).resolves.toContain('Hello');
      const cost = BigInt((await summary.locator('[data-micros]').getAttribute('data-micros'))!);
      expect(cost).toBeGreaterThan(0n);
      chatCost = cost;
      await inspect('playground-done');
      expect(await postedBalance()).toBe(before - cost);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'charts the chat in the usage screen, its cost exactly what was charged',
    async () => {
      await open('Usage');
      const totals = page.getByTestId('usage-totals');
      await totals.waitFor();
      // The usage record is written after the charge: refresh until it is counted.
      await eventually(
        'the chat is in the usage report',
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          const requests = Number(await page.getByTestId('usage-requests').textContent());
          return requests >= 1 ? requests : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(await micros('usage-cost')).toBe(chatCost);
      const requests = page.getByTestId('usage-table-requests');
      await expect(requests.getByRole('columnheader').allTextContents()).resolves.toEqual([
        'Day (UTC)',
        'local/echo-chat',
      ]);
      await expect(requests.getByRole('row').last().getByRole('cell').textContent()).resolves.toBe(
        '1',
      );
      await expect(page.locator('.chart canvas').count()).resolves.toBe(4);
      const costChart = page.getByRole('img', { name: /^Cost per day by model.*in UTC/ });
      await expect(costChart.count()).resolves.toBe(1);
      // The chart's time axis is in UTC as the table is, whatever the browser's time zone: the
      // table's day (2026-12-07) is a tick of the chart (12-07).
      const day = (await requests.getByRole('rowheader').last().textContent())!;
      expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const ticks = (await costChart.getAttribute('data-x-ticks'))!.split(' ');
      expect(ticks).toContain(day.slice(5));
      await inspect('usage');

      // By API key, hourly: the same call, under the key the console signed in with.
      await page.getByRole('combobox', { name: /^Group by/ }).selectOption('API_KEY');
      await page.getByRole('combobox', { name: /^Points/ }).selectOption('HOUR');
      await requests.getByRole('columnheader', { name: /^key / }).waitFor();
      await expect(requests.getByRole('columnheader').first().textContent()).resolves.toBe(
        'Hour (UTC)',
      );
      expect(await micros('usage-cost')).toBe(chatCost);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'keeps a member out of admin screens: links hidden, routes refused',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      await signIn(member.key);
      const nav = page.getByRole('navigation');
      await nav.getByRole('link', { name: 'Wallet' }).waitFor();
      for (const link of ['API keys', 'Buy credits', 'Audit log', 'Teams']) {
        expect({ link, shown: await nav.getByRole('link', { name: link }).count() }).toEqual({
          link,
          shown: 0,
        });
      }
      for (const route of ['teams', 'keys', 'credits', 'audit']) {
        await page.goto(`${base}/console/${route}`);
        await heading('Not available').waitFor();
      }
      await inspect('not-available');
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'lets an organization admin create a team and edit its limits and access rules',
    async () => {
      await page.goto(`${base}/console`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(TEST_ADMIN_KEY);
      // Organization admins read the whole organization's usage: the one chat, at its cost.
      await open('Usage');
      await page
        .getByRole('main')
        .getByRole('combobox', { name: /^Team/ })
        .selectOption({ label: 'Whole organization' });
      await page.getByText(/^Totals for the whole organization/).waitFor();
      await expect(page.getByTestId('usage-requests').textContent()).resolves.toBe('1');
      expect(await micros('usage-cost')).toBe(chatCost);

      await open('Teams');
      await page.getByRole('row', { name: /Console members/ }).waitFor();
      // The team the test allowed every model shows its rule.
      await page.getByRole('row', { name: /Console [0-9a-f]{8}.*allow any/ }).waitFor();
      await inspect('teams');

      await page.getByLabel('Team name').fill('Console made');
      await page.getByRole('button', { name: 'Create team' }).click();
      await page.getByRole('heading', { name: 'Editing Console made' }).waitFor();
      const row = page.getByRole('row', { name: /^Console made/ });
      await expect(row.textContent()).resolves.toContain('organization default');

      await page.getByLabel('Requests per minute', { exact: true }).fill('120');
      await page.getByLabel('Tokens per day').fill('50000');
      await page.getByRole('button', { name: 'Save limits' }).click();
      await row.getByRole('cell', { name: '120', exact: true }).waitFor();

      await page.getByLabel('Effect').selectOption('DENY');
      await page.getByLabel('Matching').selectOption('MODEL');
      await page.getByLabel('Value').fill('local/echo-chat');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await row.getByRole('cell', { name: 'deny model local/echo-chat' }).waitFor();
      await inspect('team-editing');
      // What the screen shows is what is stored.
      const stored = await persisted<{
        teams: Array<{
          name: string;
          quota: { requestsPerMinute: number; tokensPerDay: number; tokensPerMinute: null };
          accessRules: Array<{ effect: string; subject: string; value: string }>;
        }>;
      }>('OrgTeams', TEST_ADMIN_KEY);
      const made = stored.data!.teams.find((t) => t.name === 'Console made')!;
      expect(made.quota).toMatchObject({
        requestsPerMinute: 120,
        tokensPerDay: 50000,
        tokensPerMinute: null,
      });
      expect(made.accessRules).toEqual([
        { id: expect.any(String), effect: 'DENY', subject: 'MODEL', value: 'local/echo-chat' },
      ]);

      await page.getByRole('button', { name: 'Remove rule deny model local/echo-chat' }).click();
      await row.getByRole('cell', { name: 'organization default' }).waitFor();

      // A person (an OIDC subject) joins as a member, then leaves.
      await page.getByLabel('Person (OIDC subject)').fill('console-person');
      await page.getByRole('button', { name: 'Add or change member' }).click();
      await row.getByRole('cell', { name: 'console-person (member)' }).waitFor();
      await page.getByRole('button', { name: 'Remove console-person' }).click();
      await page.getByText('No people yet.').waitFor();
      await expect(row.textContent()).resolves.not.toContain('console-person');
    },
    FLOW_TIMEOUT_MS,
  );

  it('refuses a member the admin operations the Teams screen sends', async () => {
    const teams = await persisted<{ teams: Array<{ id: string }> }>('OrgTeamNames', TEST_ADMIN_KEY);
    const teamId = teams.data!.teams[0]!.id;
    const attempts = [
      await persisted('ConsoleSetQuota', member.key, { teamId, input: { requestsPerMinute: 1 } }),
      await persisted('ConsoleCreateTeam', member.key, { name: 'Not allowed' }),
      await persisted('ConsoleSetModelAccess', member.key, {
        input: { teamId, effect: 'ALLOW', subject: 'ANY' },
      }),
    ];
    expect(attempts.map((a) => a.errors?.[0]?.extensions?.code)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
    ]);
  });

  it('keeps its initial JavaScript within the budget (250 KB gzipped)', () => {
    const size = initialJavaScript();
    expect(size.files.length).toBeGreaterThan(0);
    expect(size.gzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    // The screens are not in it: each loads when first opened.
    expect(size.lazyChunks).toBeGreaterThanOrEqual(6);
  });

  it('logged no console error on any screen', () => {
    expect(errors).toEqual([]);
  });
});
