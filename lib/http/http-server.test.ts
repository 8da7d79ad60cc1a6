import { matchRoute } from './http-server.js';

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
