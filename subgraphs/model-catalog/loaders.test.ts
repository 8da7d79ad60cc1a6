import { MODEL_ROW_TIME, modelRow } from '../../test/support/model-row.js';
import { createCatalogLoaders } from './loaders.js';
import type { ModelRow, PriceRow, ProviderRow } from './store/model-rows.js';
import type { ModelStore } from './store/model-store.js';
import type { ProviderStore } from './store/provider-store.js';

const NOW = MODEL_ROW_TIME;

const model = (id: string): ModelRow =>
  modelRow({
    id,
    providerId: id.split('/')[0] as string,
    providerModel: id.split('/')[1] as string,
    displayName: id,
  });

const price = (modelId: string, version: number, from: string): PriceRow => ({
  modelId,
  version,
  inputPerMillion: BigInt(version),
  outputPerMillion: BigInt(version),
  effectiveFrom: new Date(from),
  effectiveUntil: null,
});

const provider = (id: string): ProviderRow => ({
  id,
  displayName: id,
  kind: 'LOCAL',
  baseUrl: null,
  apiKeyEnv: null,
  createdAt: NOW,
});

/** Fake stores that record every batch they are asked for and answer in an order of their own. */
function recordingStores(models: ModelRow[], prices: PriceRow[], providers: ProviderRow[]) {
  const calls = { models: [] as string[][], prices: [] as string[][], providers: [] as string[][] };
  const stores = {
    models: {
      byIds: async (ids: readonly string[]) => {
        calls.models.push([...ids]);
        return models.filter((m) => ids.includes(m.id)).reverse();
      },
      prices: async (ids: readonly string[]) => {
        calls.prices.push([...ids]);
        return prices.filter((p) => ids.includes(p.modelId));
      },
    } as unknown as ModelStore,
    providers: {
      byIds: async (ids: readonly string[]) => {
        calls.providers.push([...ids]);
        return providers.filter((p) => ids.includes(p.id)).reverse();
      },
    } as unknown as ProviderStore,
  };
  return { calls, loaders: createCatalogLoaders(stores) };
}

const ids = ['acme/a', 'acme/b', 'acme/c'];

describe('model loader', () => {
  it('loads every id asked for in one tick with one batch, in key order', async () => {
    const { calls, loaders } = recordingStores(ids.map(model), [], []);
    const rows = await Promise.all(ids.map((id) => loaders.model.load(id)));
    expect(calls.models).toEqual([['acme/a', 'acme/b', 'acme/c']]);
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it('fails only the missing key, with NOT_FOUND naming it', async () => {
    const { calls, loaders } = recordingStores([model('acme/a'), model('acme/c')], [], []);
    const results = await Promise.allSettled(ids.map((id) => loaders.model.load(id)));
    expect(calls.models).toEqual([ids]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { id: 'acme/a' } });
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: {
        message: 'Model "acme/b" does not exist.',
        extensions: { code: 'NOT_FOUND', id: 'acme/b' },
      },
    });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { id: 'acme/c' } });
  });

  it('asks once for an id loaded twice, and caches it for the rest of the request', async () => {
    const { calls, loaders } = recordingStores(ids.map(model), [], []);
    await Promise.all([loaders.model.load('acme/a'), loaders.model.load('acme/a')]);
    await Promise.all([loaders.model.load('acme/a'), loaders.model.load('acme/b')]);
    expect(calls.models).toEqual([['acme/a'], ['acme/b']]);
  });

  it('splits more than 1000 ids into batches of at most 1000', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `acme/m${i}`);
    const { calls, loaders } = recordingStores(many.map(model), [], []);
    await loaders.model.loadMany(many);
    expect(calls.models.map((batch) => batch.length)).toEqual([1000, 1]);
    expect(calls.models.flat()).toEqual(many);
  });

  it('starts with an empty cache in each set of loaders (one set per request)', async () => {
    const fixtures = ids.map(model);
    const first = recordingStores(fixtures, [], []);
    await first.loaders.model.load('acme/a');
    const second = recordingStores(fixtures, [], []);
    await second.loaders.model.load('acme/a');
    expect([first.calls.models, second.calls.models]).toEqual([[['acme/a']], [['acme/a']]]);
  });
});

describe('prices loader', () => {
  const history = [
    price('acme/a', 1, '2026-01-01T00:00:00Z'),
    price('acme/b', 1, '2026-01-02T00:00:00Z'),
    price('acme/a', 2, '2026-01-10T00:00:00Z'),
  ];

  it('loads every model’s prices in one batch and groups them per model', async () => {
    const { calls, loaders } = recordingStores([], history, []);
    const [a, b] = await Promise.all([
      loaders.prices.load('acme/a'),
      loaders.prices.load('acme/b'),
    ]);
    expect(calls.prices).toEqual([['acme/a', 'acme/b']]);
    expect(a?.map((p) => [p.version, p.effectiveUntil])).toEqual([
      [1, new Date('2026-01-10T00:00:00Z')],
      [2, null],
    ]);
    expect(b?.map((p) => [p.modelId, p.version, p.effectiveUntil])).toEqual([['acme/b', 1, null]]);
  });

  it('gives a model without prices an empty list, not an error', async () => {
    const { calls, loaders } = recordingStores([], history, []);
    const [a, none] = await Promise.all([
      loaders.prices.load('acme/a'),
      loaders.prices.load('acme/z'),
    ]);
    expect(calls.prices).toEqual([['acme/a', 'acme/z']]);
    expect(a).toHaveLength(2);
    expect(none).toEqual([]);
  });
});

describe('provider loader', () => {
  it('batches provider ids and reports a missing one as NOT_FOUND', async () => {
    const { calls, loaders } = recordingStores([], [], [provider('local'), provider('openai')]);
    const results = await Promise.allSettled(
      ['openai', 'nope', 'local'].map((id) => loaders.provider.load(id)),
    );
    expect(calls.providers).toEqual([['openai', 'nope', 'local']]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason.extensions)),
    ).toEqual(['openai', { code: 'NOT_FOUND', id: 'nope' }, 'local']);
  });

  it('does not touch the model store', async () => {
    const { calls, loaders } = recordingStores([], [], [provider('local')]);
    await loaders.provider.load('local');
    expect(calls).toEqual({ models: [], prices: [], providers: [['local']] });
  });
});
