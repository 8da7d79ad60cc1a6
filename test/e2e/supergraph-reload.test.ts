import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph, readSubgraphs } from '../../gateway/supergraph/compose.js';
import { expectErrorCode, expectNoErrors, gql } from '../support/graphql-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const HEALTH = '{ model(id: "local/echo-chat") { id health { status } } }';

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The reload is a gateway concern; embedded stores suffice.
describe('the gateway reloads its supergraph file', () => {
  let stack: Stack;
  let dir: string;
  let file: string;
  let key: string;

  beforeAll(async () => {
    const subgraphs = await readSubgraphs();
    dir = await mkdtemp(join(tmpdir(), 'mg-supergraph-'));
    file = join(dir, 'supergraph.graphql');
    // Start without the inference subgraph: Model.health does not exist yet.
    await writeFile(file, composeSupergraph(subgraphs.filter((s) => s.name !== 'inference')));
    stack = await startStack({
      mode: 'embedded',
      gateway: { supergraphPath: file },
      supergraphPollMs: 100,
    });
    ({ key } = await stack.createTeamWithKey('Reload', ['models:read']));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a field once a supergraph with it is written, and ignores a broken file', async () => {
    expectErrorCode(await gql(stack.url, HEALTH, { token: key }), 'GRAPHQL_VALIDATION_FAILED');

    await writeFile(file, composeSupergraph(await readSubgraphs()));
    const data = await eventually(async () => {
      const response = await gql(stack.url, HEALTH, { token: key });
      return response.body.errors ? undefined : response.body.data;
    });
    expect(data).toEqual({ model: { id: 'local/echo-chat', health: { status: 'UNKNOWN' } } });

    await writeFile(file, 'this is not a supergraph');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expectNoErrors(await gql(stack.url, HEALTH, { token: key }));
  });
});
