import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { eventually } from '../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { orgAdmin } from '../support/identities.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

interface OperationUsage {
  operationName: string;
  operationType: string;
  clientName: string;
  clientVersion: string;
  coordinates: string[];
  count: number;
  lastUsedHour: string;
}
interface FieldUsage {
  coordinate: string;
  clientName: string;
  clientVersion: string;
  operationName: string;
  count: number;
}

const OPERATION_USAGE = `query($since: DateTime!, $until: DateTime, $client: String) {
  operationUsage(since: $since, until: $until, clientName: $client) {
    operationName operationType clientName clientVersion coordinates count lastUsedHour } }`;
const FIELD_USAGE = `query($since: DateTime!, $client: String, $coordinates: [String!]) {
  fieldUsage(since: $since, clientName: $client, coordinates: $coordinates) {
    coordinate clientName clientVersion operationName count } }`;

const MODELS = `query Models($n: Int) { models(first: $n) { edges { node { ...ModelName } } } }
  fragment ModelName on Model { id displayName }`;
const TEAMS = `query Teams { teams { id ... on Team { name } } }`;
const STREAM = `subscription Stream($i: GenerateInput!) { generateStream(input: $i) { __typename } }`;

const HOUR_MS = 3_600_000;
const hourOf = (time: number) => new Date(Math.floor(time / HOUR_MS) * HOUR_MS).toISOString();
const client = (name: string, version: string) => ({
  'apollographql-client-name': name,
  'apollographql-client-version': version,
});
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

describe.each(STORE_MODES)('field usage (%s stores)', (mode) => {
  let stack: Stack;
  const since = new Date(Date.now() - 3 * HOUR_MS).toISOString();
  beforeAll(async () => {
    stack = await startStack({
      mode,
      gateway: { usage: { enabled: true, flushIntervalMs: 100, maxPending: 10_000 } },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  const usageOf = async (clientName: string, until?: string) =>
    expectNoErrors(
      await stack.request<{ operationUsage: OperationUsage[] }>(OPERATION_USAGE, {
        token: TEST_ADMIN_KEY,
        variables: { since, until, client: clientName },
      }),
    ).operationUsage;

  it('counts the operations of two named clients, with their coordinates, per hour', async () => {
    const startedHour = hourOf(Date.now());
    const run = (query: string, headers: Record<string, string>, variables = {}) =>
      stack.request(query, { token: TEST_ADMIN_KEY, headers, variables }).then(expectNoErrors);
    await run(MODELS, client('web', '1.0.0'), { n: 2 });
    await run(MODELS, client('web', '1.0.0'), { n: 1 });
    await run(TEAMS, client('ios', '2.3'));
    await run(MODELS, client('ios', '2.3'));

    const web = await eventually(
      'the web client counted',
      async () => {
        const rows = await usageOf('web');
        return rows.length === 1 && rows[0]!.count === 2 ? rows : undefined;
      },
      WAIT,
    );
    expect(web[0]).toMatchObject({
      operationName: 'Models',
      operationType: 'query',
      clientVersion: '1.0.0',
      coordinates: [
        'Model.displayName',
        'Model.id',
        'ModelConnection.edges',
        'ModelEdge.node',
        'Query.models',
        'Query.models(first:)',
      ],
    });
    expect([startedHour, hourOf(Date.now())]).toContain(
      new Date(web[0]!.lastUsedHour).toISOString(),
    );
    const ios = await eventually(
      'the ios client counted',
      async () => {
        const rows = await usageOf('ios');
        return rows.length === 2 ? rows : undefined;
      },
      WAIT,
    );
    expect(ios.map((r) => [r.operationName, r.clientVersion, r.count]).sort()).toEqual([
      ['Models', '2.3', 1],
      ['Teams', '2.3', 1],
    ]);
    expect(ios.find((r) => r.operationName === 'Teams')?.coordinates).toEqual([
      'Query.teams',
      'Team.id',
      'Team.name',
    ]);

    // Every count sits in an hour bucket; a window ending before the test began holds none.
    const { rows } = await stack.dbs.policy.query<{ hour: Date }>(
      `SELECT hour FROM operation_usage`,
    );
    for (const { hour } of rows) expect(hour.getTime() % HOUR_MS).toBe(0);
    expect(await usageOf('web', startedHour)).toEqual([]);

    // Later reports add to the hour's count.
    await run(MODELS, client('web', '1.0.0'), { n: 3 });
    await eventually(
      'the third run added',
      async () => ((await usageOf('web'))[0]?.count === 3 ? true : undefined),
      WAIT,
    );

    const fields = expectNoErrors(
      await stack.request<{ fieldUsage: FieldUsage[] }>(FIELD_USAGE, {
        token: TEST_ADMIN_KEY,
        variables: { since, coordinates: ['Query.models(first:)', 'Team.name'] },
      }),
    ).fieldUsage.filter((r) => r.clientName !== '');
    expect(
      fields.map((r) => [r.coordinate, `${r.clientName}@${r.clientVersion}`, r.count]),
    ).toEqual([
      ['Query.models(first:)', 'web@1.0.0', 3],
      ['Query.models(first:)', 'ios@2.3', 1],
      ['Team.name', 'ios@2.3', 1],
    ]);
  });

  it('counts subscriptions the gateway streams over /graphql', async () => {
    const leave = new AbortController();
    const response = await fetch(stack.url, {
      signal: leave.signal,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${TEST_ADMIN_KEY}`,
        ...client('cli', '0.9'),
      },
      body: JSON.stringify({
        query: STREAM,
        variables: { i: { model: 'demo-chat', messages: [{ role: 'USER', content: 'Hi' }] } },
      }),
    });
    expect(response.status).toBe(200);
    const rows = await eventually(
      'the subscription counted',
      async () => {
        const found = await usageOf('cli');
        return found.length > 0 ? found : undefined;
      },
      WAIT,
    );
    leave.abort();
    expect(rows).toEqual([
      expect.objectContaining({
        operationName: 'Stream',
        operationType: 'subscription',
        clientVersion: '0.9',
        count: 1,
        coordinates: ['Subscription.generateStream', 'Subscription.generateStream(input:)'],
      }),
    ]);
  });

  it('answers organization admins only', async () => {
    const { key } = await stack.createTeamWithKey('Usage readers', ['policy:admin', 'models:read']);
    for (const query of [OPERATION_USAGE, FIELD_USAGE]) {
      const response = await stack.request(query, { token: key, variables: { since } });
      expectErrorCode(response, 'FORBIDDEN');
    }
    const backwards = await stack.request(OPERATION_USAGE, {
      token: TEST_ADMIN_KEY,
      variables: { since, until: new Date(Date.now() - 4 * HOUR_MS).toISOString() },
    });
    expectErrorCode(backwards, 'BAD_USER_INPUT');
  });

  it('takes usage reports from services only, and refuses malformed ones whole', async () => {
    const post = async (token: string, body: unknown) =>
      fetch(new URL('/internal/usage', stack.subgraphUrls.policy), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token },
        body: JSON.stringify(body),
      });
    const count = { hour: hourOf(Date.now()), clientName: 'forged', clientVersion: '1' };
    const report = {
      operations: [{ hash: 'c'.repeat(64), name: 'X', type: 'query', coordinates: ['Query.x'] }],
      counts: [{ ...count, hash: 'c'.repeat(64), name: 'X', count: 5 }],
    };
    const admin = await stack.internalToken(orgAdmin());
    expect((await post(admin, report)).status).toBe(403);
    const gateway = await stack.internalToken({
      ...orgAdmin(),
      id: 'service:gateway',
      kind: 'SERVICE',
      roles: [],
    });
    const malformed = { ...report, counts: [...report.counts, { ...count, hash: 'x', count: 1 }] };
    expect((await post(gateway, malformed)).status).toBe(400);
    expect(await usageOf('forged')).toEqual([]);
    expect((await post(gateway, report)).status).toBe(200);
    expect((await usageOf('forged'))[0]).toMatchObject({ operationName: 'X', count: 5 });
  });
});
