import type { ModelRouteInput, RegisterProviderInput } from '../generated/resolvers-types.js';
import type { ModelRow } from '../store/model-rows.js';
import { badInput, thrownBy } from '../../../test/support/thrown.js';
import { checkProvider, checkRoute } from './validation.js';

describe('checkProvider', () => {
  const provider = (over: Partial<RegisterProviderInput> = {}): RegisterProviderInput => ({
    id: 'acme',
    displayName: 'Acme',
    kind: 'OPENAI_COMPATIBLE',
    baseUrl: 'https://api.acme.test/v1/',
    apiKeyEnv: 'ACME_API_KEY',
    ...over,
  });

  it('strips trailing slashes from baseUrl', () => {
    expect(checkProvider(provider())).toEqual({
      id: 'acme',
      displayName: 'Acme',
      kind: 'OPENAI_COMPATIBLE',
      baseUrl: 'https://api.acme.test/v1',
      apiKeyEnv: 'ACME_API_KEY',
    });
  });

  it('lets a LOCAL provider go without baseUrl and apiKeyEnv', () => {
    const local = checkProvider(provider({ kind: 'LOCAL', baseUrl: null, apiKeyEnv: null }));
    expect(local).toMatchObject({ baseUrl: null, apiKeyEnv: null });
  });

  it.each<[string, Partial<RegisterProviderInput>, string]>([
    ['an uppercase id', { id: 'Acme' }, 'id'],
    ['a one-letter id', { id: 'a' }, 'id'],
    ['an id with a slash', { id: 'ac/me' }, 'id'],
    ['a non-LOCAL provider without baseUrl', { baseUrl: null }, 'baseUrl'],
    ['a baseUrl that is not a URL', { baseUrl: 'api.acme.test' }, 'baseUrl'],
    ['an ftp baseUrl', { baseUrl: 'ftp://acme.test' }, 'baseUrl'],
    ['a javascript: baseUrl', { baseUrl: 'javascript:alert(1)' }, 'baseUrl'],
    ['a lowercase apiKeyEnv', { apiKeyEnv: 'acme_key' }, 'apiKeyEnv'],
    ['an apiKeyEnv starting with a digit', { apiKeyEnv: '1KEY' }, 'apiKeyEnv'],
    ['an empty apiKeyEnv', { apiKeyEnv: '' }, 'apiKeyEnv'],
    ['an apiKeyEnv with a dash', { apiKeyEnv: 'ACME-KEY' }, 'apiKeyEnv'],
    ['a blank displayName', { displayName: '' }, 'displayName'],
  ])('rejects %s', (_case, over, field) => {
    expect(thrownBy(() => checkProvider(provider(over)))).toMatchObject(badInput(field));
  });
});

describe('checkRoute', () => {
  const known = new Set(['acme/a', 'acme/b', 'acme/c']);
  const lookups: string[][] = [];
  const findModels = async (ids: string[]) => {
    lookups.push(ids);
    return ids.filter((id) => known.has(id)).map((id) => ({ id }) as ModelRow);
  };
  const route = (over: Partial<ModelRouteInput> = {}): ModelRouteInput => ({
    alias: 'chat-default',
    strategy: 'FALLBACK',
    targets: [{ modelId: 'acme/a' }, { modelId: 'acme/b', weight: 3 }],
    ...over,
  });
  beforeEach(() => {
    lookups.length = 0;
  });

  it('keeps target order, defaults weight to 1 and looks all targets up at once', async () => {
    await expect(checkRoute(route({ description: ' Chat ' }), findModels)).resolves.toEqual({
      alias: 'chat-default',
      description: 'Chat',
      strategy: 'FALLBACK',
      targets: [
        { modelId: 'acme/a', weight: 1 },
        { modelId: 'acme/b', weight: 3 },
      ],
    });
    expect(lookups).toEqual([['acme/a', 'acme/b']]);
  });

  it('accepts a WEIGHTED route with some zero weights', async () => {
    const weighted = route({
      strategy: 'WEIGHTED',
      targets: [
        { modelId: 'acme/a', weight: 0 },
        { modelId: 'acme/b', weight: 1 },
      ],
    });
    await expect(checkRoute(weighted, findModels)).resolves.toMatchObject({ strategy: 'WEIGHTED' });
  });

  const targets = (...ids: string[]) => ids.map((modelId) => ({ modelId }));
  it.each<[string, Partial<ModelRouteInput>, string]>([
    ['an alias that is a model id', { alias: 'acme/a' }, 'alias'],
    ['an uppercase alias', { alias: 'Chat' }, 'alias'],
    ['no targets', { targets: [] }, 'targets'],
    [
      '17 targets',
      { targets: targets(...Array.from({ length: 17 }, (_, i) => `acme/m${i}`)) },
      'targets',
    ],
    ['a duplicate target', { targets: targets('acme/a', 'acme/b', 'acme/a') }, 'targets'],
    ['a malformed model id', { targets: targets('acme/a', 'Not An Id') }, 'targets.modelId'],
    ['an unknown model', { targets: targets('acme/a', 'acme/zzz') }, 'targets.modelId'],
    ['a negative weight', { targets: [{ modelId: 'acme/a', weight: -1 }] }, 'targets.weight'],
    ['a weight above 1000', { targets: [{ modelId: 'acme/a', weight: 1001 }] }, 'targets.weight'],
    [
      'a WEIGHTED route with every weight zero',
      {
        strategy: 'WEIGHTED',
        targets: [
          { modelId: 'acme/a', weight: 0 },
          { modelId: 'acme/b', weight: 0 },
        ],
      },
      'targets',
    ],
  ])('rejects %s', async (_case, over, field) => {
    await expect(checkRoute(route(over), findModels)).rejects.toMatchObject(badInput(field));
  });

  it('names every unknown model and does not look up models of a malformed route', async () => {
    await expect(
      checkRoute(route({ targets: targets('acme/x', 'acme/a', 'acme/y') }), findModels),
    ).rejects.toThrow('Unknown models: acme/x, acme/y.');
    await expect(checkRoute(route({ alias: 'X' }), findModels)).rejects.toThrow();
    expect(lookups).toEqual([['acme/x', 'acme/a', 'acme/y']]);
  });
});
