import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expectNoErrors, gql } from '../support/graphql-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { eventually } from '../support/eventually.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

// Request ids and metrics do not depend on the stores; embedded stores suffice.
describe('request ids and metrics', () => {
  let stack: Stack;
  let key: string;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    stack = await startStack({ mode: 'embedded', logger: pino({ level: 'debug' }, sink) });
    ({ key } = await stack.createTeamWithKey('Observed', ['models:read', 'wallet:read']));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('echoes a caller request id and carries it to every subgraph the operation touches', async () => {
    const requestId = 'trace-0123456789abcdef';
    const response = await gql(
      stack.url,
      '{ model(id: "local/echo-chat") { id health { status } } viewer { id } }',
      { token: key, headers: { 'x-request-id': requestId } },
    );
    expectNoErrors(response);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    // Subgraphs may log after the gateway has answered: wait until all four have.
    const services = await eventually(
      'every service logged the request id',
      () => {
        const seen = new Set(lines.filter((l) => l.requestId === requestId).map((l) => l.service));
        return seen.size >= 4 ? seen : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(services).toEqual(new Set(['gateway', 'model-catalog', 'inference', 'policy']));
  });

  it('makes up a request id when the caller sends none (or a bad one)', async () => {
    const plain = await gql(stack.url, '{ viewer { id } }', { token: key });
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await gql(stack.url, '{ viewer { id } }', {
      token: key,
      headers: { 'x-request-id': 'a b' },
    });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes operation and subgraph-fetch histograms labelled by operation name', async () => {
    expectNoErrors(
      await gql(stack.url, 'query CatalogPeek { models { totalCount } }', { token: key }),
    );
    const gatewayMetrics = await (await fetch(`${stack.gatewayBase}/metrics`)).text();
    expect(gatewayMetrics).toMatch(
      /modelgraph_graphql_operation_duration_seconds_count\{[^}]*operation="CatalogPeek"[^}]*\} 1/,
    );
    expect(gatewayMetrics).toMatch(
      /modelgraph_subgraph_fetch_duration_seconds_count\{[^}]*subgraph="model-catalog",operation="CatalogPeek"[^}]*\} 1/,
    );
    const catalogMetrics = await (
      await fetch(stack.subgraphUrls['model-catalog']!.replace('/graphql', '/metrics'))
    ).text();
    expect(catalogMetrics).toMatch(
      /modelgraph_graphql_operation_duration_seconds_count\{[^}]*operation="CatalogPeek__model_catalog__0"/,
    );
  });

  it('never logs a credential', async () => {
    expect(JSON.stringify(lines)).not.toContain(key);
  });
});
