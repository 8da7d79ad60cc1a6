import { createInternalTokenSigner, ISSUERS } from '../../lib/auth/internal-token.js';
import { createRateLimiter, type RateLimiter } from '../../lib/rate-limit/index.js';
import { errorsOf } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import {
  createTestKeys,
  orgAdmin,
  silentLogger,
  teamKey,
  teamUser,
} from '../../test/support/identities.js';
import {
  createTestDatabase,
  createTestKv,
  type TestDatabase,
  type TestKv,
} from '../../test/support/stores.js';
import { runSubgraph, type RunningSubgraph } from '../../test/support/subgraph-harness.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { INFERENCE_SCHEMA, createInferenceSubgraph, prepareInferenceStore } from './server.js';
import { createModelHealth } from './service/model-health.js';

/*
 * The inference subgraph as the gateway reaches it, over HTTP with an internal token: what it
 * resolves by reference (Model.health, from the shared store: both store modes) and what its
 * mutations refuse before the saga reaches another service (teams, scopes). The paid saga itself
 * runs end to end in test/e2e/inference.
 */

const TEAM_A = '00000000-0000-4000-8000-00000000000a';
const TEAM_B = '00000000-0000-4000-8000-00000000000b';
/** Nothing listens here: a test that reached another service would fail loudly. */
const NOWHERE = 'http://127.0.0.1:9/graphql';

interface ModelHealthEntity {
  id: string;
  health?: { status: string; sampleCount: number; errorRate: number | null; circuitState: string };
}
interface Entities {
  _entities: Array<ModelHealthEntity | null>;
}
interface Generated {
  generate: { id: string } | null;
}

const HEALTH = `query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Model { id health { status sampleCount errorRate circuitState } } } }`;
const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'Model', id }));
const GENERATE = `mutation($teamId: ID) {
  generate(input: { model: "local/echo-chat", messages: [{ role: USER, content: "hi" }],
    teamId: $teamId }) { id } }`;

describe.each(STORE_MODES)('inference subgraph (%s stores)', (mode) => {
  let stores: TestKv;
  let database: TestDatabase;
  let limiter: RateLimiter;
  let inference: RunningSubgraph;

  beforeAll(async () => {
    stores = await createTestKv(mode);
    database = await createTestDatabase(mode);
    const db = await database.open(INFERENCE_SCHEMA);
    await prepareInferenceStore(db);
    const keys = await createTestKeys();
    limiter = await createRateLimiter({ redisUrl: stores.redisUrl, keyPrefix: stores.keyPrefix });
    inference = await runSubgraph(
      createInferenceSubgraph({
        db,
        kv: stores.kv,
        rateLimiter: limiter,
        signer: await createInternalTokenSigner({
          privateKeyPem: keys.privateKeyPem,
          issuer: ISSUERS.inference,
        }),
        services: { catalog: NOWHERE, policy: NOWHERE, wallet: NOWHERE, orchestration: NOWHERE },
        env: {},
        verifier: keys.verifier,
        logger: silentLogger,
        production: false,
      }),
      keys,
    );
    // Two calls of one model, one failed, as any replica records them in the shared store.
    const health = createModelHealth(stores.kv, Date.now);
    await health.record('local/echo-chat', 40, true);
    await health.record('local/echo-chat', 70, false);
  });
  afterAll(async () => {
    await inference?.stop();
    await limiter?.close();
    await database?.drop();
    await stores?.cleanup();
  });

  describe('_entities: Model.health', () => {
    it("resolves several references, in order, for a reader of any team's models", async () => {
      for (const reader of [teamKey(TEAM_A, ['models:read']), teamUser(TEAM_B, 'VIEWER')]) {
        const response = await inference.as(reader)<Entities>(HEALTH, {
          variables: { r: refs(['local/echo-chat', 'local/hash-embed']) },
        });
        expect(expectNoErrors(response)._entities).toEqual([
          {
            id: 'local/echo-chat',
            health: { status: 'DOWN', sampleCount: 2, errorRate: 0.5, circuitState: 'CLOSED' },
          },
          {
            id: 'local/hash-embed',
            health: { status: 'UNKNOWN', sampleCount: 0, errorRate: null, circuitState: 'CLOSED' },
          },
        ]);
      }
    });

    it('refuses health to a principal without models:read, and still answers the id', async () => {
      const noRead = teamKey(TEAM_A, ['inference:invoke', 'wallet:read']);
      const response = await inference.as(noRead)<Entities>(HEALTH, {
        variables: { r: refs(['local/echo-chat']) },
      });
      expect(response.body.data?._entities).toEqual([null]);
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['_entities', 0, 'health'] }]);
      const ids = await inference.as(noRead)<Entities>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { id } } }`,
        { variables: { r: refs(['local/echo-chat']) } },
      );
      expect(expectNoErrors(ids)._entities).toEqual([{ id: 'local/echo-chat' }]);
    });
  });

  describe('generate, refused before any other service is called', () => {
    it("refuses to charge another team's wallet", async () => {
      const response = await inference.as(teamKey(TEAM_A, ['inference:invoke']))<Generated>(
        GENERATE,
        { variables: { teamId: TEAM_B } },
      );
      expect(response.body.data?.generate).toBeNull();
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['generate'] }]);
    });

    it('refuses a principal without inference:invoke', async () => {
      const response = await inference.as(teamKey(TEAM_A, ['models:read']))<Generated>(GENERATE);
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['generate'] }]);
    });

    it('tells the admin key, which belongs to no team, to name one', async () => {
      const response = await inference.as(orgAdmin())<Generated>(GENERATE);
      expect(errorsOf(response)).toEqual([
        { code: 'BAD_USER_INPUT', path: ['generate'], field: 'teamId' },
      ]);
      expect(response.body.errors?.[0]?.message).toBe(
        'You belong to no team: name the team to charge with teamId (your organization-wide ' +
          'rights let you charge any team).',
      );
    });
  });
});
