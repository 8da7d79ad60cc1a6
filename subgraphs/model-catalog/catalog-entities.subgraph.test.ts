import { startCatalog, type RunningCatalog } from '../../test/support/catalog-subgraph.js';
import { errorsOf } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { teamKey } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { seedCatalog } from './service/seed.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';

// 50 more models under their own provider: an entity batch as large as a gateway might send.
const BULK_IDS = Array.from({ length: 50 }, (_, i) => `bulk/m${String(i).padStart(2, '0')}`);
const bulkSeed = JSON.stringify({
  providers: [{ id: 'bulk', displayName: 'Bulk', kind: 'LOCAL' }],
  models: BULK_IDS.map((id) => ({
    id,
    providerId: 'bulk',
    displayName: `Model ${id}`,
    capabilities: ['CHAT'],
    contextWindow: 1000,
    maxOutputTokens: 100,
    price: { inputPerMillion: '1', outputPerMillion: '1' },
  })),
});

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Model { id displayName } }
}`;
const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'Model', id }));

interface EntityModel {
  id: string;
  displayName?: string;
  provider?: { id: string };
  pricing?: { version: number };
}

describe.each(STORE_MODES)('model-catalog _entities (%s stores)', (mode) => {
  let catalog: RunningCatalog;
  const reader = () => catalog.subgraph.as(teamKey('team-a', ['models:read']));
  const noRead = () => catalog.subgraph.as(teamKey('team-a', ['wallet:read']));
  const entities = (as: typeof reader, ids: string[], query = ENTITIES) =>
    as()<{ _entities: Array<EntityModel | null> }>(query, { variables: { r: refs(ids) } });
  /** SQL statements since the last reset that contain `fragment`. */
  const statements = (fragment: string) =>
    catalog.db.statements.filter((sql) => sql.includes(fragment)).length;

  beforeAll(async () => {
    catalog = await startCatalog(mode);
    await seedCatalog(catalog.db, bulkSeed, new Date(), 'bulk.yaml');
  }, STACK_START_TIMEOUT_MS);
  beforeEach(() => {
    catalog.db.statements.length = 0;
  });
  afterAll(async () => {
    await catalog?.stop();
  });

  it('resolves several references, in order, for a reader', async () => {
    const ids = ['openai/gpt-4o-mini', 'local/echo-chat', 'anthropic/claude-sonnet-4'];
    expect(expectNoErrors(await entities(reader, ids))._entities).toEqual([
      { id: 'openai/gpt-4o-mini', displayName: 'GPT-4o mini' },
      { id: 'local/echo-chat', displayName: 'Local echo chat' },
      { id: 'anthropic/claude-sonnet-4', displayName: 'Claude Sonnet 4' },
    ]);
  });

  it('answers an unknown reference with null and NOT_FOUND, and the others in full', async () => {
    const response = await entities(reader, ['local/nope', 'local/echo-chat']);
    expect(response.body.data?._entities).toEqual([
      null,
      { id: 'local/echo-chat', displayName: 'Local echo chat' },
    ]);
    expect(errorsOf(response)).toEqual([{ code: 'NOT_FOUND', path: ['_entities', 0] }]);
  });

  it('refuses Model fields to a principal without models:read', async () => {
    const response = await entities(noRead, ['local/echo-chat', 'openai/gpt-4o']);
    expect(response.body.data?._entities).toEqual([null, null]);
    const errors = errorsOf(response);
    expect(errors.map((e) => e.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(errors.map((e) => e.path?.slice(0, 2))).toEqual([
      ['_entities', 0],
      ['_entities', 1],
    ]);
    expect(JSON.stringify(response.body)).not.toContain('Local echo chat');
  });

  it('refuses nested Model fields too: pricing of a model is no way around the rule', async () => {
    const response = await entities(
      noRead,
      ['local/echo-chat'],
      `query($r: [_Any!]!) {
      _entities(representations: $r) { ... on Model { pricing { inputPerMillion } } } }`,
    );
    expect(errorsOf(response).map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(response.body)).not.toContain('100000');
  });

  it('loads 50 references with one models query', async () => {
    const data = expectNoErrors(await entities(reader, BULK_IDS));
    expect(data._entities.map((m) => m?.id)).toEqual(BULK_IDS);
    expect(data._entities[7]).toEqual({ id: 'bulk/m07', displayName: 'Model bulk/m07' });
    expect(statements('FROM models WHERE id = ANY')).toBe(1);
  });

  it('loads 50 references mixed with unknown and repeated ones with one models query', async () => {
    const ids = [...BULK_IDS.slice(0, 25), 'bulk/nope', ...BULK_IDS.slice(0, 24)];
    const response = await entities(reader, ids);
    expect(response.body.data?._entities).toHaveLength(50);
    expect(errorsOf(response)).toEqual([{ code: 'NOT_FOUND', path: ['_entities', 25] }]);
    expect(statements('FROM models WHERE id = ANY')).toBe(1);
  });

  it('batches the providers and prices of 50 references too', async () => {
    const query = `query($r: [_Any!]!) {
      _entities(representations: $r) { ... on Model { id provider { id } pricing { version } } } }`;
    const data = expectNoErrors(await entities(reader, BULK_IDS, query));
    expect(data._entities[49]).toEqual({
      id: 'bulk/m49',
      provider: { id: 'bulk' },
      pricing: { version: 1 },
    });
    expect([
      statements('FROM models WHERE id = ANY'),
      statements('FROM model_prices WHERE model_id = ANY'),
      statements('FROM providers WHERE id = ANY'),
    ]).toEqual([1, 1, 1]);
  });
});
