import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      SUBGRAPH_PORT_BASE: '0',
      LOG_LEVEL: 'warn',
      INFERENCE_HOLD_TTL_SECONDS: '700',
    };
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
  }, 120_000);
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
});
