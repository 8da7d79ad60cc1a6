import { parse } from 'graphql';
import { allow } from 'graphql-shield';
import { INTERNAL_TOKEN_HEADER } from '../auth/internal-token.js';
import type { Principal } from '../auth/principal.js';
import { createPermissions } from '../auth/shield-rules.js';
import { createServiceMetrics } from '../metrics.js';
import { createServiceClient, type ServiceClient } from '../service-client.js';
import { REQUEST_ID_HEADER } from '../request-id.js';
import { internalRoute } from '../subgraph/internal-route.js';
import { createSubgraphServer, type SubgraphServer } from '../subgraph/subgraph-server.js';
import { eventually } from '../../test/support/eventually.js';
import { createTestKeys, orgAdmin, type TestKeys } from '../../test/support/identities.js';
import { createRecordingLogger } from '../../test/support/recording-logger.js';
import { createHttpService } from './http-server.js';
import { createLocalRoutes, type LocalRoutes } from './local-routes.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Thing @key(fields: "id") { id: ID! }
  type Query { whoami: String }
`);
const resolvers = {
  Query: { whoami: (_: unknown, __: unknown, ctx: { principal: Principal }) => ctx.principal.id },
};
const service: Principal = { ...orgAdmin(), id: 'service:test', kind: 'SERVICE' };
const query = JSON.stringify({ query: '{ whoami }' });
const json = { 'content-type': 'application/json' };

describe('the in-process route table', () => {
  let keys: TestKeys;
  let subgraph: SubgraphServer;
  let origin: string;
  let routes: LocalRoutes;
  let client: ServiceClient;
  let connections = 0;
  const metrics = createServiceMetrics('test');
  const log = createRecordingLogger('debug');

  beforeAll(async () => {
    keys = await createTestKeys();
    subgraph = createSubgraphServer({
      name: 'test',
      typeDefs,
      resolvers,
      permissions: createPermissions({ Query: { '*': allow } }),
      buildContext: (base) => base,
      verifier: keys.verifier,
      logger: log.logger,
      metrics,
      production: false,
      checkReady: async () => undefined,
      routes: {
        '/internal/echo': { POST: internalRoute(keys.verifier, async (body) => ({ body })) },
      },
    });
    subgraph.server.on('connection', () => connections++);
    await subgraph.start();
    origin = `http://127.0.0.1:${await subgraph.listen(0)}`;
    routes = createLocalRoutes();
    routes.register(origin, subgraph);
    client = createServiceClient({
      signer: keys.signer,
      principal: service,
      timeoutMs: 2_000,
      localRoutes: routes,
    });
  });
  afterAll(async () => {
    await client.close();
    await subgraph?.stop();
  });

  const observed = async (route: string, status: string) => {
    const { values } = await metrics.httpDuration.get();
    const count = values.find(
      (v) =>
        v.metricName?.endsWith('_count') && v.labels.route === route && v.labels.status === status,
    );
    return count?.value ?? 0;
  };

  it('answers a registered origin in process, with no socket, timed and logged as over HTTP', async () => {
    const before = await observed('/graphql', '200');
    await expect(
      client.graphql(`${origin}/graphql`, '{ whoami }', {}, 'req-in-process'),
    ).resolves.toEqual({ whoami: 'service:test' });
    await expect(
      client.post(`${origin}/internal/echo`, { hello: 'there' }, 'req-internal'),
    ).resolves.toEqual({ body: { hello: 'there' } });
    expect(connections).toBe(0);
    expect(await observed('/graphql', '200')).toBe(before + 1);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ msg: 'request', requestId: 'req-in-process', status: '200' }),
    );
  });

  it('passes the request id back and the status, headers and body as the handler wrote them', async () => {
    const token = await keys.signer.sign(service, 'req-headers');
    const answer = await routes.call(`${origin}/graphql`, {
      method: 'POST',
      headers: { ...json, [INTERNAL_TOKEN_HEADER]: token, [REQUEST_ID_HEADER]: 'req-headers' },
      body: query,
    });
    expect(answer?.status).toBe(200);
    expect(answer?.headers[REQUEST_ID_HEADER]).toBe('req-headers');
    expect(answer?.headers['content-type']).toMatch(/json/);
    expect(JSON.parse(answer!.body)).toEqual({ data: { whoami: 'service:test' } });
  });

  it('refuses a missing or invalid internal token with 401, in process as over HTTP', async () => {
    for (const path of ['/graphql', '/internal/echo']) {
      for (const headers of [json, { ...json, [INTERNAL_TOKEN_HEADER]: 'not-a-token' }]) {
        const answer = await routes.call(`${origin}${path}`, {
          method: 'POST',
          headers,
          body: query,
        });
        expect(answer?.status).toBe(401);
        expect(JSON.parse(answer!.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
    }
    expect(connections).toBe(0);
  });

  it('leaves other origins and streams to the network', async () => {
    const request = { method: 'POST', headers: json, body: query };
    expect(routes.call('http://127.0.0.1:1/graphql', request)).toBeUndefined();
    expect(
      routes.call(`http://localhost:${new URL(origin).port}/graphql`, request),
    ).toBeUndefined();
    for (const accept of ['text/event-stream', 'multipart/mixed;deferSpec=20220824']) {
      const streamed = { ...request, headers: { ...json, accept } };
      expect(routes.call(`${origin}/graphql`, streamed)).toBeUndefined();
    }
    // The service client then goes over HTTP: the same server sees a connection.
    const other = createServiceClient({ signer: keys.signer, principal: service });
    const url = `http://localhost:${new URL(origin).port}/graphql`;
    try {
      await expect(other.graphql(url, '{ whoami }', {}, 'req-http')).resolves.toEqual({
        whoami: 'service:test',
      });
    } finally {
      await other.close();
    }
    expect(connections).toBeGreaterThan(0);
  });

  it('counts a caller that leaves before the answer as a client that closed (499)', async () => {
    const hanging = createHttpService({
      service: 'hanging',
      logger: log.logger,
      metrics,
      routes: { '/hang': { POST: () => new Promise<void>(() => undefined) } },
    });
    const hangingOrigin = `http://127.0.0.1:${await hanging.listen(0)}`;
    routes.register(hangingOrigin, hanging);
    try {
      const leave = new AbortController();
      const request = { method: 'POST', headers: json, body: '{}' };
      const answer = routes.call(`${hangingOrigin}/hang`, request, leave.signal);
      leave.abort(new Error('caller gave up'));
      await expect(answer).rejects.toThrow('caller gave up');
      await eventually(
        'the exchange counted as closed by its client',
        async () => ((await observed('/hang', '499')) === 1 ? true : undefined),
        { timeoutMs: 2_000, intervalMs: 10 },
      );
    } finally {
      await hanging.close();
    }
  });

  it('stops answering in process once the service stops listening', async () => {
    const stopped = createHttpService({
      service: 'stopped',
      logger: log.logger,
      metrics,
      routes: {},
    });
    const stoppedOrigin = `http://127.0.0.1:${await stopped.listen(0)}`;
    routes.register(stoppedOrigin, stopped);
    const request = { method: 'POST', headers: json, body: '{}' };
    expect((await routes.call(`${stoppedOrigin}/x`, request))?.status).toBe(404);
    await stopped.close();
    expect(routes.call(`${stoppedOrigin}/x`, request)).toBeUndefined();
  });
});
