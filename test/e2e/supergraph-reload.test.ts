import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph, readSubgraphs } from '../../gateway/supergraph/compose.js';
import { expectErrorCode, expectNoErrors, gql } from '../support/graphql-client.js';
import { eventually } from '../support/eventually.js';
import { createRecordingLogger } from '../support/recording-logger.js';
import { startStack, type Stack } from '../support/stack.js';
import { startSteadyLoad } from '../support/steady-load.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const HEALTH = '{ model(id: "local/echo-chat") { id health { status } } }';

// The reload is a gateway concern; embedded stores suffice.
describe('the gateway reloads its supergraph file', () => {
  let stack: Stack;
  let dir: string;
  let file: string;
  let key: string;
  let teamId: string;
  const log = createRecordingLogger();

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
      logger: log.logger,
    });
    ({ key, teamId } = await stack.createTeamWithKey('Reload', ['models:read']));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a field once a supergraph with it is written, and ignores a broken file', async () => {
    expectErrorCode(await gql(stack.url, HEALTH, { token: key }), 'GRAPHQL_VALIDATION_FAILED');
    // Clients keep querying across both reloads: none of their requests may fail.
    const load = startSteadyLoad({
      base: stack.gatewayBase,
      key,
      teamId,
      queries: 3,
      paid: 0,
      query:
        'query Load($t: ID!) { team(id: $t) { id } models(first: 2) { edges { node { id } } } }',
    });

    await writeFile(file, composeSupergraph(await readSubgraphs()));
    const data = await eventually(
      'the gateway serves Model.health',
      async () => {
        const response = await gql(stack.url, HEALTH, { token: key });
        return response.body.errors ? undefined : response.body.data;
      },
      { timeoutMs: 8_000 },
    );
    expect(data).toEqual({ model: { id: 'local/echo-chat', health: { status: 'UNKNOWN' } } });

    await writeFile(file, 'this is not a supergraph');
    // The broken file was read and rejected (not merely missed by the poll) ...
    const rejected = await eventually(
      'the gateway rejects the broken supergraph',
      () => log.lines.find((line) => line.msg.startsWith('new supergraph rejected')),
      { timeoutMs: 8_000 },
    );
    expect(rejected).toMatchObject({ path: file, level: 50 });
    // ... and the last good supergraph keeps serving.
    expect(expectNoErrors(await gql(stack.url, HEALTH, { token: key }))).toEqual(data);
    const answered = load.answered.query;
    await eventually(
      'queries go on after the reloads',
      () => (load.answered.query > answered + 10 ? true : undefined),
      { timeoutMs: 8_000 },
    );
    await load.stop();
    expect(load.failures).toEqual([]);
  });
});
