import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InternalTokenSigner } from '../../../lib/auth/internal-token.js';
import type { Principal } from '../../../lib/auth/principal.js';
import { createServiceClient, type ServiceClient } from '../../../lib/service-client.js';
import { createRecordingLogger } from '../../../test/support/recording-logger.js';
import { READ_RETRY_DELAYS_MS } from '../service/timing.js';
import { createCatalogClient } from './catalog-client.js';

const ROUTE = { alias: 'demo-chat', strategy: 'FALLBACK', targets: [] };

/** A catalog stand-in whose answers the test scripts, one per request, counting what it was asked. */
function fakeCatalog() {
  const script: Array<{ status: number; body: unknown }> = [];
  let asked = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    asked += 1;
    const answer = script.shift() ?? { status: 200, body: { route: ROUTE } };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
  return {
    server,
    script,
    asked: () => asked,
  };
}

const signer = { sign: async () => 'internal-token' } as unknown as InternalTokenSigner;
const principal = { id: 'service:inference', kind: 'SERVICE' } as Principal;

describe('the catalog client', () => {
  const catalog = fakeCatalog();
  let catalogUrl: string;
  let client: ServiceClient;
  let clock = 1_000;
  const log = createRecordingLogger();
  const catalogClient = () =>
    createCatalogClient({
      client,
      catalogUrl,
      cacheMs: 2_000,
      now: () => clock,
      logger: log.logger,
    });

  beforeAll(async () => {
    await new Promise<void>((resolve) => catalog.server.listen(0, '127.0.0.1', resolve));
    catalogUrl = `http://127.0.0.1:${(catalog.server.address() as AddressInfo).port}/graphql`;
    client = createServiceClient({ signer, principal, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => catalog.server.close(resolve));
  });
  beforeEach(() => {
    log.lines.length = 0;
  });

  it('turns a 500 on every try into SERVICE_UNAVAILABLE without internals, logs it, and asks again next time', async () => {
    const catalogs = catalogClient();
    const before = catalog.asked();
    const tries = READ_RETRY_DELAYS_MS.length + 1;
    for (let i = 0; i < tries; i += 1) {
      catalog.script.push({
        status: 500,
        body: {
          errors: [
            { message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
          ],
        },
      });
    }
    const error = await catalogs.resolve('demo-chat', 'req-1').catch((e: unknown) => e);
    expect(error).toMatchObject({
      message: 'The model catalog is unavailable right now; try again.',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
    });
    expect(log.errors()).toEqual([
      expect.objectContaining({
        requestId: 'req-1',
        err: expect.objectContaining({ message: expect.stringContaining('answered 500') }),
      }),
    ]);

    // Not cached: the next call, within the cache time, asks the catalog again and gets the route.
    await expect(catalogs.resolve('demo-chat', 'req-2')).resolves.toEqual(ROUTE);
    expect(catalog.asked() - before).toBe(tries + 1);
  });

  it('asks again after one 500 (a catalog draining for a restart) and answers the route', async () => {
    const catalogs = catalogClient();
    const before = catalog.asked();
    catalog.script.push({ status: 500, body: { errors: [{ message: 'Shutting down.' }] } });
    await expect(catalogs.resolve('demo-chat', 'req-3')).resolves.toEqual(ROUTE);
    expect(catalog.asked() - before).toBe(2);
    expect(log.errors()).toEqual([]);
  });

  // A JSON answer of the wrong shape is the catalog's answer (asked once); one that is not JSON
  // at all is a transport failure, asked again.
  it.each([
    ['no route field', {}, 1],
    ['a route that is a string', { route: 'demo-chat' }, 1],
    ['a route without targets', { route: { alias: 'demo-chat' } }, 1],
    ['not JSON at all', '<html>bad gateway</html>', READ_RETRY_DELAYS_MS.length + 1],
  ])(
    'refuses an answer with %s as SERVICE_UNAVAILABLE, and caches nothing',
    async (_, body, tries) => {
      const catalogs = catalogClient();
      const before = catalog.asked();
      for (let i = 0; i < tries; i += 1) catalog.script.push({ status: 200, body });
      await expect(catalogs.resolve('demo-chat', 'req-1')).rejects.toMatchObject({
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(log.errors()).toHaveLength(1);
      await expect(catalogs.resolve('demo-chat', 'req-2')).resolves.toEqual(ROUTE);
      expect(catalog.asked() - before).toBe(tries + 1);
    },
  );

  it('reuses a route, and an answer that the name is unknown, for cacheMs', async () => {
    const catalogs = catalogClient();
    const before = catalog.asked();
    catalog.script.push({ status: 200, body: { route: null } });
    await expect(catalogs.resolve('nope', 'r')).resolves.toBeNull();
    await expect(catalogs.resolve('nope', 'r')).resolves.toBeNull();
    await expect(catalogs.resolve('demo-chat', 'r')).resolves.toEqual(ROUTE);
    await expect(catalogs.resolve('demo-chat', 'r')).resolves.toEqual(ROUTE);
    expect(catalog.asked() - before).toBe(2);
    clock += 2_001;
    await catalogs.resolve('demo-chat', 'r');
    expect(catalog.asked() - before).toBe(3);
  });

  it('turns an unreachable catalog into SERVICE_UNAVAILABLE', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const catalogs = createCatalogClient({
      client,
      catalogUrl: `http://127.0.0.1:${port}/graphql`,
      cacheMs: 2_000,
      logger: log.logger,
    });
    const error = (await catalogs.resolve('demo-chat', 'r').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(error.message).not.toMatch(/127\.0\.0\.1|http:/);
  });
});
