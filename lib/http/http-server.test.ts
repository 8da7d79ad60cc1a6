import { createLogger } from '../logging.js';
import { createServiceMetrics } from '../metrics.js';
import { createHttpService, matchRoute } from './http-server.js';
import { sendJson } from './responses.js';

describe('matchRoute', () => {
  const routes = {
    '/v1/models': { GET: () => undefined },
    '/v1/*': { GET: () => undefined },
    '/v1/models/*': { GET: () => undefined },
  };

  it('prefers the exact path, then the longest prefix', () => {
    expect(matchRoute(routes, '/v1/models')).toBe('/v1/models');
    expect(matchRoute(routes, '/v1/models/local/echo-chat')).toBe('/v1/models/*');
    expect(matchRoute(routes, '/v1/models/local%2Fecho-chat')).toBe('/v1/models/*');
    expect(matchRoute(routes, '/v1/completions')).toBe('/v1/*');
  });

  it('matches nothing outside a prefix, nor the prefix itself', () => {
    expect(matchRoute(routes, '/v1/')).toBeUndefined();
    expect(matchRoute(routes, '/v2/models')).toBeUndefined();
    expect(matchRoute(routes, '/v1')).toBeUndefined();
  });
});

describe('a draining HTTP service', () => {
  it('finishes the request in flight with connection: close and refuses new connections', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const service = createHttpService({
      service: 'drain-test',
      logger: createLogger({ service: 'drain-test', level: 'silent' }),
      metrics: createServiceMetrics('drain-test'),
      routes: {
        '/slow': {
          GET: async ({ res }) => {
            arrived();
            await held;
            sendJson(res, 200, { finished: true });
          },
        },
      },
    });
    const port = await service.listen(0);
    const answer = fetch(`http://127.0.0.1:${port}/slow`);
    await inFlight;

    service.beginDrain();
    expect(service.isDraining()).toBe(true);
    const closed = service.close(10_000);
    await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow('fetch failed');
    release();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ finished: true });
    await closed;
  });
});
