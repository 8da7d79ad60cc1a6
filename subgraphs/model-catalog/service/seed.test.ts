import { parse, stringify } from 'yaml';
import type { Db } from '../../../lib/db/index.js';
import { catalogSeedYaml } from '../../../test/support/catalog-subgraph.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { seedCatalog } from './seed.js';
import { CATALOG_SCHEMA, prepareCatalogStore } from '../server.js';
import { createModelStore } from '../store/model-store.js';
import { createProviderStore } from '../store/provider-store.js';
import { createRouteStore } from '../store/route-store.js';

const NOW = new Date('2026-01-31T12:00:00.000Z');

type Entry = Record<string, unknown>;
interface SeedFile {
  providers: Entry[];
  models: Entry[];
  routes: Entry[];
}

/** The deployed seed with `change` applied to a parsed copy. */
function seedWith(change: (seed: SeedFile) => void): string {
  const seed = parse(catalogSeedYaml) as SeedFile;
  change(seed);
  return stringify(seed);
}

async function contents(db: Db) {
  const models = await createModelStore(db).list(null, null, 100);
  const prices = await createModelStore(db).prices(models.map((m) => m.id));
  const { rows: runs } = await db.query<{ name: string }>(
    'SELECT name FROM seed_runs ORDER BY name',
  );
  return {
    providers: (await createProviderStore(db).list()).map((p) => p.id),
    models: models.map((m) => m.id),
    prices: prices.length,
    routes: (await createRouteStore(db).list()).map((r) => r.alias),
    runs: runs.map((r) => r.name),
  };
}

const EMPTY = { providers: [], models: [], prices: 0, routes: [], runs: [] };

describe.each(STORE_MODES)('seedCatalog (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;

  // One database per store mode (PGlite takes a second or two to start), emptied before each test.
  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open(CATALOG_SCHEMA);
    await prepareCatalogStore(db);
  });
  beforeEach(async () => {
    await db.exec(
      'TRUNCATE model_route_targets, model_routes, model_prices, models, providers, seed_runs',
    );
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('applies the deployed seed once; the second call changes nothing and returns false', async () => {
    await expect(seedCatalog(db, catalogSeedYaml, NOW)).resolves.toBe(true);
    const first = await contents(db);
    expect(first).toEqual({
      providers: ['anthropic', 'local', 'openai'],
      models: [
        'anthropic/claude-3-5-haiku',
        'anthropic/claude-sonnet-4',
        'local/echo-chat',
        'local/hash-embed',
        'openai/gpt-4o',
        'openai/gpt-4o-mini',
        'openai/text-embedding-3-small',
      ],
      prices: 7,
      routes: ['chat-default', 'demo-chat', 'embed-default'],
      runs: ['models.yaml'],
    });
    await expect(seedCatalog(db, catalogSeedYaml, NOW)).resolves.toBe(false);
    expect(await contents(db)).toEqual(first);
  });

  it('skips a seed already applied even when the file has changed since', async () => {
    await seedCatalog(db, catalogSeedYaml, NOW);
    const changed = seedWith((seed) => {
      seed.models[0].displayName = 'Renamed';
    });
    await expect(seedCatalog(db, changed, NOW)).resolves.toBe(false);
    const [echo] = await createModelStore(db).byIds(['local/echo-chat']);
    expect(echo?.displayName).toBe('Local echo chat');
  });

  it('applies seeds of different names independently', async () => {
    await seedCatalog(db, catalogSeedYaml, NOW);
    const extra = stringify({
      providers: [{ id: 'extra', displayName: 'Extra', kind: 'LOCAL' }],
      models: [],
    });
    await expect(seedCatalog(db, extra, NOW, 'extra.yaml')).resolves.toBe(true);
    expect((await contents(db)).runs).toEqual(['extra.yaml', 'models.yaml']);
  });

  it('applies once when two replicas seed at the same time', async () => {
    const results = await Promise.all([
      seedCatalog(db, catalogSeedYaml, NOW),
      seedCatalog(db, catalogSeedYaml, NOW),
    ]);
    expect([...results].sort()).toEqual([false, true]);
    expect((await contents(db)).prices).toBe(7);
  });

  it('starts every seeded price at the given instant', async () => {
    await seedCatalog(db, catalogSeedYaml, NOW);
    const prices = await createModelStore(db).prices(['local/echo-chat', 'openai/gpt-4o']);
    expect(prices.map((p) => [p.modelId, p.version, p.effectiveFrom.toISOString()])).toEqual([
      ['local/echo-chat', 1, NOW.toISOString()],
      ['openai/gpt-4o', 1, NOW.toISOString()],
    ]);
    expect(prices[1]?.inputPerMillion).toBe(2_500_000n);
  });

  it.each<[string, (seed: SeedFile) => void, string]>([
    [
      'a CHAT model without maxOutputTokens',
      (seed) => {
        delete seed.models[6].maxOutputTokens;
      },
      'maxOutputTokens',
    ],
    [
      'a model of an unseeded provider id',
      (seed) => {
        seed.models[0].id = 'openai/echo-chat';
      },
      'id',
    ],
    [
      'a negative price',
      (seed) => {
        seed.models[3].price = { inputPerMillion: '1', outputPerMillion: '-1' };
      },
      'price.outputPerMillion',
    ],
    [
      'a provider without baseUrl',
      (seed) => {
        delete seed.providers[1].baseUrl;
      },
      'baseUrl',
    ],
    [
      'a route to an unknown model',
      (seed) => {
        seed.routes[2].targets = [{ modelId: 'local/hash-embed' }, { modelId: 'local/nope' }];
      },
      'targets.modelId',
    ],
  ])('rejects %s with BAD_USER_INPUT and rolls everything back', async (_case, change, field) => {
    await expect(seedCatalog(db, seedWith(change), NOW)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field },
    });
    expect(await contents(db)).toEqual(EMPTY);
    // Not recorded as applied either: the corrected file applies on the next start.
    await expect(seedCatalog(db, catalogSeedYaml, NOW)).resolves.toBe(true);
  });

  it('rejects a file that is not a seed before touching the database', async () => {
    const noPrice = seedWith((seed) => {
      delete seed.models[0].price;
    });
    await expect(seedCatalog(db, noPrice, NOW)).rejects.toThrow(/price/);
    await expect(seedCatalog(db, 'models: 3', NOW)).rejects.toThrow();
    expect(await contents(db)).toEqual(EMPTY);
  });

  it('is what prepareCatalogStore applies on the first start only', async () => {
    await expect(prepareCatalogStore(db, catalogSeedYaml, NOW)).resolves.toBe(true);
    await expect(prepareCatalogStore(db, catalogSeedYaml, NOW)).resolves.toBe(false);
    await expect(prepareCatalogStore(db)).resolves.toBe(false);
    expect((await contents(db)).models).toHaveLength(7);
  });
});
