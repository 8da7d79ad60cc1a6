import { randomUUID } from 'node:crypto';
import { ISSUERS, createInternalTokenSigner } from '../../lib/auth/internal-token.js';
import { expectNoErrors, gql } from '../../test/support/graphql-client.js';
import { createTestKeys, silentLogger, teamKey } from '../../test/support/identities.js';
import { runSubgraph, type RunningSubgraph } from '../../test/support/subgraph-harness.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';
import { typed } from '../../test/support/typed-document.js';
import {
  ORCHESTRATION_SCHEMA,
  createOrchestrationSubgraph,
  prepareOrchestrationStore,
} from './server.js';

const INFO = typed<{ orchestrationInfo: { service: string; since: string; callerId: string } }>(
  '{ orchestrationInfo { service since callerId } }',
);

describe.each(STORE_MODES)('the orchestration subgraph (%s stores)', (mode) => {
  let database: TestDatabase;
  let subgraph: RunningSubgraph;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    const db = await database.open(ORCHESTRATION_SCHEMA);
    await prepareOrchestrationStore(db);
    await prepareOrchestrationStore(db); // a second start applies nothing twice
    const keys = await createTestKeys();
    const server = createOrchestrationSubgraph({
      verifier: keys.verifier,
      logger: silentLogger,
      production: false,
      db,
      signer: await createInternalTokenSigner({
        privateKeyPem: keys.privateKeyPem,
        issuer: ISSUERS.orchestration,
      }),
      // Nobody answers: audit writes are logged and dropped, which these tests do not reach.
      services: {
        policy: 'http://127.0.0.1:9/graphql',
        wallet: 'http://127.0.0.1:9/graphql',
        inference: 'http://127.0.0.1:9/graphql',
        catalog: 'http://127.0.0.1:9/graphql',
      },
    });
    subgraph = await runSubgraph(server, keys);
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await subgraph?.stop();
    await database?.drop();
  });

  it('tells a signed-in caller what its store recorded, and who they are', async () => {
    const reader = teamKey(randomUUID(), ['models:read'], 'key:reader');
    const data = expectNoErrors(await subgraph.as(reader)(INFO));
    expect(data.orchestrationInfo).toEqual({
      service: 'orchestration',
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      callerId: 'key:reader',
    });
    expect(Date.parse(data.orchestrationInfo.since)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a request that does not carry the gateway-signed internal token', async () => {
    const response = await gql(subgraph.url, INFO);
    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
  });
});
