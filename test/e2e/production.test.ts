import { expectErrorCode, expectNoErrors, gql } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { typed } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const INTROSPECTION = typed<{ __schema: { queryType: { name: string } } }>(
  '{ __schema { queryType { name } } }',
);

// Production behaviour does not depend on the stores, so embedded stores suffice here.
describe('production mode', () => {
  let stack: Stack;
  let key: string;
  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded', production: true });
    ({ key } = await stack.createTeamWithKey('Prod', ['models:read']));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses introspection to a non-admin', async () => {
    const refused = await gql(stack.url, INTROSPECTION, { token: key });
    expectErrorCode(refused, 'FORBIDDEN');
    expect(refused.status).toBe(403);
    expectErrorCode(
      await gql(stack.url, '{ __type(name: "Model") { name } }', { token: key }),
      'FORBIDDEN',
    );
  });

  it('still answers __typename to a non-admin', async () => {
    expect(expectNoErrors(await gql(stack.url, '{ __typename }', { token: key }))).toEqual({
      __typename: 'Query',
    });
  });

  it('counts aliases of __typename against the alias limit', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `t${i}: __typename`).join(' ');
    const refused = await gql(stack.url, `{ ${aliases} }`, { token: key });
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    expectErrorCode(refused, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a persisted-query hash that does not match its query with BAD_REQUEST', async () => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['BAD_REQUEST']);
  });

  it('lets an organization admin introspect', async () => {
    const data = expectNoErrors(await gql(stack.url, INTROSPECTION, { token: TEST_ADMIN_KEY }));
    expect(data.__schema.queryType.name).toBe('Query');
  });

  it('serves no landing page and no explorer', async () => {
    const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<html/i);
    expect((await fetch(`${stack.gatewayBase}/explorer`)).status).toBe(404);
  });
});

describe('development mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded', production: false });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the Sandbox landing page and the offline explorer with its assets', async () => {
    const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const explorer = await fetch(`${stack.gatewayBase}/explorer`);
    expect(await explorer.text()).toContain('/explorer/graphiql.js');
    for (const asset of ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css']) {
      const response = await fetch(`${stack.gatewayBase}/explorer/${asset}`);
      expect(response.status).toBe(200);
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
  });

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${stack.gatewayBase}/healthz`)).json()).toEqual({
      status: 'ok',
      service: 'gateway',
    });
    const ready = await fetch(`${stack.gatewayBase}/readyz`);
    expect(ready.status).toBe(200);
  });

  // A gateway taken out of the load balancer for a subgraph's outage would fail every field;
  // staying in, it fails only the fields of the subgraph that is down.
  it('stays ready when a subgraph is down, and serves the other subgraphs', async () => {
    const { key } = await stack.createTeamWithKey('Dev', ['models:read']);
    await stack.stopSubgraph('wallet');
    const ready = await fetch(`${stack.gatewayBase}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).status).toBe('ready');
    const models = await gql<{ models: { totalCount: number } }>(
      stack.url,
      '{ models { totalCount } }',
      { token: key },
    );
    expect(expectNoErrors(models).models.totalCount).toBeGreaterThan(0);
  });
});
