import { readFileSync } from 'node:fs';
import { expectErrorCode, expectNoErrors, gql } from '../../test/support/graphql-client.js';
import { createTestKeys, orgAdmin, silentLogger, teamKey } from '../../test/support/identities.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { runSubgraph, type RunningSubgraph } from '../../test/support/subgraph-harness.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { CATALOG_SCHEMA, createCatalogSubgraph, prepareCatalogStore } from './server.js';

const seedYaml = readFileSync(new URL('../../deploy/models.yaml', import.meta.url), 'utf8');

describe.each(STORE_MODES)('model-catalog subgraph (%s stores)', (mode) => {
  let database: TestDatabase;
  let subgraph: RunningSubgraph;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    const db = await database.open(CATALOG_SCHEMA);
    await prepareCatalogStore(db, seedYaml);
    const keys = await createTestKeys();
    subgraph = await runSubgraph(
      createCatalogSubgraph({
        db,
        verifier: keys.verifier,
        logger: silentLogger,
        production: false,
      }),
      keys,
    );
  });
  afterAll(async () => {
    await subgraph?.stop();
    await database?.drop();
  });

  it('answers 401 to a request without a gateway-signed token', async () => {
    const response = await gql(subgraph.url, '{ models { totalCount } }');
    expect(response.status).toBe(401);
    expectErrorCode(response, 'UNAUTHENTICATED');
  });

  it('lists seeded models for a reader', async () => {
    const reader = subgraph.as(teamKey('team-a', ['models:read']));
    const data = expectNoErrors(
      await reader<{ models: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(
        '{ models(first: 3) { totalCount edges { node { id } } } }',
      ),
    );
    expect(data.models.totalCount).toBe(7);
    expect(data.models.edges.map((e) => e.node.id)).toEqual([
      'anthropic/claude-3-5-haiku',
      'anthropic/claude-sonnet-4',
      'local/echo-chat',
    ]);
  });

  it('lets an admin register a model', async () => {
    const admin = subgraph.as(orgAdmin());
    const data = expectNoErrors(
      await admin<{ registerModel: unknown }>(
        `mutation { registerModel(input: { id: "local/tiny", providerId: "local", displayName: "Tiny",
          capabilities: [CHAT], contextWindow: 100, maxOutputTokens: 10,
          price: { inputPerMillion: "5", outputPerMillion: "7" } }) { id pricing { version inputPerMillion } } }`,
      ),
    );
    expect(data.registerModel).toEqual({
      id: 'local/tiny',
      pricing: { version: 1, inputPerMillion: '5' },
    });
  });
});
