import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import type { InternalTokenSigner } from './auth/internal-token.js';
import type { Principal } from './auth/principal.js';
import { createLocalRoutes } from './http/local-routes.js';
import {
  ServiceRequestError,
  ServiceUnavailableError,
  createServiceClient,
  type ServiceClient,
} from './service-client.js';

/** What the stand-in service answers on each path: a status and a raw body. */
const ANSWERS: Record<string, { status: number; body: string }> = {
  '/ok': { status: 200, body: JSON.stringify({ route: { alias: 'demo-chat' } }) },
  '/500-json': {
    status: 500,
    body: JSON.stringify({
      errors: [
        { message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ],
    }),
  },
  '/503-text': { status: 503, body: 'upstream connect error' },
  '/200-garbage': { status: 200, body: '<html>proxy error</html>' },
  '/400-graphql': {
    status: 400,
    body: JSON.stringify({
      errors: [
        {
          message: 'Cannot query field "nope" on type "Query".',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    }),
  },
  '/401-rest': {
    status: 401,
    body: JSON.stringify({
      errors: [
        {
          message: 'Internal endpoints need an internal token.',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    }),
  },
  '/404-empty': { status: 404, body: '' },
  '/200-refusal': {
    status: 200,
    body: JSON.stringify({
      data: null,
      errors: [
        {
          message: 'Not enough credits.',
          extensions: { code: 'INSUFFICIENT_FUNDS', available: '5', stacktrace: ['at x'] },
        },
      ],
    }),
  },
  '/200-db-down': {
    status: 200,
    body: JSON.stringify({
      data: null,
      errors: [
        {
          message: 'The database is unavailable right now; try again.',
          extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
        },
      ],
    }),
  },
  '/200-data': { status: 200, body: JSON.stringify({ data: { ping: 'pong' } }) },
};

const signer = { sign: async () => 'internal-token' } as unknown as InternalTokenSigner;
const principal = { id: 'service:test', kind: 'SERVICE' } as Principal;

const answer: RequestListener = (req, res) => {
  req.resume();
  const { status, body } = ANSWERS[req.url ?? ''] ?? { status: 404, body: '' };
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
};

// The same answers read the same whether the callee runs elsewhere or in this process.
describe.each(['over HTTP', 'in process'])('the service client, %s', (way) => {
  let server: Server;
  let base: string;
  let client: ServiceClient;
  let connections = 0;

  beforeAll(async () => {
    server = createServer(answer);
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const localRoutes = way === 'in process' ? createLocalRoutes() : undefined;
    localRoutes?.register(base, { server, handle: answer });
    client = createServiceClient({ signer, principal, timeoutMs: 2_000, localRoutes });
  });
  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string) => client.post<unknown>(`${base}${path}`, {}, 'req-1');
  const graphql = (path: string) =>
    client.graphql<unknown>(`${base}${path}`, '{ ping }', {}, 'req-1');

  it('returns the JSON of a 2xx answer', async () => {
    await expect(post('/ok')).resolves.toEqual({ route: { alias: 'demo-chat' } });
    await expect(graphql('/200-data')).resolves.toEqual({ ping: 'pong' });
  });

  it('never returns a 5xx answer as data, JSON or not: the callee is unavailable', async () => {
    for (const path of ['/500-json', '/503-text']) {
      await expect(post(path)).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(graphql(path)).rejects.toBeInstanceOf(ServiceUnavailableError);
    }
    await expect(post('/500-json')).rejects.toThrow(/answered 500: Internal server error\./);
  });

  it('treats a 200 that is not JSON as unavailable', async () => {
    await expect(post('/200-garbage')).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(graphql('/200-garbage')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it("yields a 4xx GraphQL answer's errors through graphql(), with the callee's code", async () => {
    const error = await graphql('/400-graphql').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error).toMatchObject({
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('never returns a 4xx REST answer as data: it is an error with the status', async () => {
    for (const [path, status] of [
      ['/401-rest', 401],
      ['/400-graphql', 400],
      ['/404-empty', 404],
    ] as const) {
      const error = await post(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceRequestError);
      expect(error).not.toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceRequestError).status).toBe(status);
    }
    await expect(graphql('/404-empty')).rejects.toBeInstanceOf(ServiceRequestError);
  });

  it("passes a business refusal on with the callee's details, without its stack", async () => {
    const error = await graphql('/200-refusal').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({
      code: 'INSUFFICIENT_FUNDS',
      available: '5',
    });
  });

  it('reads a callee that says SERVICE_UNAVAILABLE as unavailable, so callers retry it', async () => {
    await expect(graphql('/200-db-down')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('reports a callee it cannot reach as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(client.post(`http://127.0.0.1:${port}/x`, {}, 'req-1')).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it(`reaches the callee ${way}`, () => {
    if (way === 'in process') expect(connections).toBe(0);
    else expect(connections).toBeGreaterThan(0);
  });
});
