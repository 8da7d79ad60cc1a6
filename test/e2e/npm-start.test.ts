import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildConsole } from '../support/console-build.js';
import { eventually } from '../support/eventually.js';
import { DEFAULT_INFERENCE_SETTINGS } from '../../subgraphs/inference/config.js';
import { expectNoErrors, gql } from '../support/graphql-client.js';

const START = fileURLToPath(new URL('../../dev/start.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm start` as a newcomer runs it (embedded stores, one process), with a service variable set:
 * it must reach the service exactly as it would in the service's own process.
 */
describe('npm start', () => {
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    // npm start builds a missing or stale console first; built here, the wait below is the start.
    await buildConsole();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      SUBGRAPH_PORT_BASE: '0',
      LOG_LEVEL: 'warn',
      INFERENCE_HOLD_TTL_SECONDS: '700',
      BILLING_TEST_MODE_PORT: '0',
    };
    // No provider key: the local TEST MODE provider takes payments.
    delete env.STRIPE_SECRET_KEY;
    delete env.STRIPE_WEBHOOK_SECRET;
    delete env.STRIPE_API_URL;
    // A newcomer's machine: no servers, embedded stores.
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    child = spawn(process.execPath, ['--import', 'tsx', START], { cwd: ROOT, env });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('npm start prints its banner', () => /Try it:/.test(output) || undefined, {
      timeoutMs: 90_000,
      intervalMs: 200,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  }, 180_000);
  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('honours INFERENCE_HOLD_TTL_SECONDS as the inference service does', async () => {
    const url = /Modelgraph is up at (\S+\/graphql)/.exec(output)![1]!;
    const token = /Demo team member key \(shown once\):\s+(\S+)/.exec(output)![1]!;
    expectNoErrors(
      await gql(
        url,
        `mutation { generate(input: { model: "demo-chat",
           messages: [{ role: USER, content: "Hello" }] }) { cost } }`,
        { token },
      ),
    );
    const { viewer } = expectNoErrors(
      await gql<{
        viewer: {
          memberships: Array<{
            team: { wallet: { holds: Array<{ createdAt: string; expiresAt: string }> } };
          }>;
        };
      }>(
        url,
        `{ viewer { memberships { team { wallet { holds(first: 1) { createdAt expiresAt } } } } } }`,
        { token },
      ),
    );
    // The call's credit lease: the call's hold lifetime plus the lease's serving time (decision 62).
    const [hold] = viewer.memberships[0]!.team.wallet.holds;
    const seconds = (Date.parse(hold!.expiresAt) - Date.parse(hold!.createdAt)) / 1000;
    expect(Math.round(seconds)).toBe(700 + DEFAULT_INFERENCE_SETTINGS.creditLeases.serveSeconds);
  });

  it('without a provider key, buys credits offline through the TEST MODE checkout page and the signed webhook', async () => {
    const url = /Modelgraph is up at (\S+\/graphql)/.exec(output)![1]!;
    const member = /Demo team member key \(shown once\):\s+(\S+)/.exec(output)![1]!;
    const admin = /Admin key \(this run only[^)]*\):\s+(\S+)/.exec(output)![1]!;
    expect(output).toMatch(/Payments: TEST MODE/);
    const wallet = async () =>
      expectNoErrors(
        await gql<{
          viewer: {
            memberships: Array<{ team: { id: string; wallet: { balance: { posted: string } } } }>;
          };
        }>(url, `{ viewer { memberships { team { id wallet { balance { posted } } } } } }`, {
          token: member,
        }),
      ).viewer.memberships[0]!.team;
    const before = await wallet();

    const { createCheckout } = expectNoErrors(
      await gql<{
        createCheckout: { id: string; url: string; testMode: boolean; purchase: { id: string } };
      }>(
        url,
        `mutation($team: ID!) { createCheckout(input: { teamId: $team, packId: "starter",
           idempotencyKey: "npm-start-demo" }) { id url testMode purchase { id } } }`,
        { token: admin, variables: { team: before.id } },
      ),
    );
    expect(createCheckout.testMode).toBe(true);
    const page = await fetch(createCheckout.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TEST MODE');

    // The page's "Pay with test card" button.
    const paid = await fetch(`${createCheckout.url}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(createCheckout.url);

    const purchase = await eventually(
      'the webhook granted the purchase',
      async () => {
        const { purchase } = expectNoErrors(
          await gql<{ purchase: { status: string; credits: string | null } }>(
            url,
            `query($id: ID!) { purchase(id: $id) { status credits } }`,
            { token: member, variables: { id: createCheckout.purchase.id } },
          ),
        );
        return purchase.status === 'PAID' ? purchase : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    // The starter pack: 10 USD, 10 credits.
    expect(purchase.credits).toBe('10000000');
    const after = await wallet();
    expect(BigInt(after.wallet.balance.posted) - BigInt(before.wallet.balance.posted)).toBe(
      10_000_000n,
    );
  });
});
