import { createMemoryStreamLeases } from '../../lib/rate-limit/stream-leases.js';
import type { Principal } from '../../lib/auth/principal.js';
import { createRateLimiter, type RateLimiter } from '../../lib/rate-limit/index.js';
import { recordingDb, type RecordingDb } from '../../test/support/catalog-subgraph.js';
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
import { POLICY_SCHEMA, createPolicySubgraph, preparePolicyStore } from './server.js';
import { createPolicyService } from './service/policy-service.js';

const TEAMS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Team { id name } } }`;
const TEAM_MEMBERS = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Team { id members { userId role } } } }`;
const MODEL_ACCESS = `query($r: [_Any!]!, $team: ID) {
  _entities(representations: $r) { ... on Model { id access(teamId: $team) { allowed reason } } } }`;

interface EntityTeam {
  id: string;
  name?: string;
  members?: Array<{ userId: string; role: string }>;
}
interface EntityModel {
  id: string;
  access: { allowed: boolean; reason: string | null };
}
type Entities<T> = { _entities: Array<T | null> };

/** A Model as the gateway hands it to policy: with the catalog fields `access` requires. */
const modelRef = (id: string) => ({
  __typename: 'Model',
  id,
  provider: { id: id.split('/')[0] },
  capabilities: ['CHAT'],
  tags: [],
  dataClassification: 'INTERNAL',
});
const teamRefs = (ids: string[]) => ids.map((id) => ({ __typename: 'Team', id }));

// What the policy subgraph resolves by reference (Team, and Model's `access`) under its shield:
// allowed, denied across teams, denied without the scope; on both store modes.
describe.each(STORE_MODES)('policy _entities (%s stores)', (mode) => {
  let database: TestDatabase;
  let testKv: TestKv;
  let rateLimiter: RateLimiter;
  let db: RecordingDb;
  let subgraph: RunningSubgraph;
  let teamA: string;
  let teamB: string;
  const as = (principal: Principal) => subgraph.as(principal);
  const statements = (fragment: string) =>
    db.statements.filter((sql) => sql.includes(fragment)).length;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = recordingDb(await database.open(POLICY_SCHEMA));
    await preparePolicyStore(db);
    testKv = await createTestKv(mode);
    rateLimiter = await createRateLimiter({
      redisUrl: testKv.redisUrl,
      keyPrefix: testKv.keyPrefix,
    });
    const caller = { principal: orgAdmin(), requestId: 'test' };
    const policy = createPolicyService(db, testKv.kv, () => new Date());
    teamA = (await policy.createTeam(caller, 'Alpha')).id;
    teamB = (await policy.createTeam(caller, 'Beta')).id;
    await policy.addTeamMember(caller, teamA, 'user:ann', 'MEMBER');
    await policy.setModelAccess(caller, { teamId: teamA, effect: 'ALLOW', subject: 'ANY' });
    const keys = await createTestKeys();
    subgraph = await runSubgraph(
      createPolicySubgraph({
        db,
        kv: testKv.kv,
        rateLimiter,
        streamLeases: createMemoryStreamLeases(),
        verifier: keys.verifier,
        logger: silentLogger,
        production: false,
      }),
      keys,
    );
  });
  beforeEach(() => {
    db.statements.length = 0;
  });
  afterAll(async () => {
    await subgraph?.stop();
    await rateLimiter?.close();
    await testKv?.cleanup();
    await database?.drop();
  });

  describe('Team', () => {
    it("resolves a member's own team", async () => {
      const data = expectNoErrors(
        await as(teamUser(teamA, 'MEMBER'))<Entities<EntityTeam>>(TEAMS, {
          variables: { r: teamRefs([teamA]) },
        }),
      );
      expect(data._entities).toEqual([{ id: teamA, name: 'Alpha' }]);
    });

    it("refuses another team's reference, failing that entity only and leaking nothing", async () => {
      const response = await as(teamUser(teamA, 'MEMBER'))<Entities<EntityTeam>>(TEAMS, {
        variables: { r: teamRefs([teamB, teamA]) },
      });
      expect(response.body.data?._entities).toEqual([null, { id: teamA, name: 'Alpha' }]);
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['_entities', 0] }]);
      expect(JSON.stringify(response.body)).not.toContain('Beta');
    });

    it('refuses an unknown team as it refuses another team: ids cannot be probed', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      const response = await as(teamUser(teamA, 'MEMBER'))<Entities<EntityTeam>>(TEAMS, {
        variables: { r: teamRefs([unknown]) },
      });
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['_entities', 0] }]);
    });

    it('resolves every team for an organization admin, with one teams query', async () => {
      const data = expectNoErrors(
        await as(orgAdmin())<Entities<EntityTeam>>(TEAMS, {
          variables: { r: teamRefs([teamB, teamA]) },
        }),
      );
      expect(data._entities).toEqual([
        { id: teamB, name: 'Beta' },
        { id: teamA, name: 'Alpha' },
      ]);
      expect(statements('FROM teams WHERE id = ANY')).toBe(1);
    });

    it('refuses members to a team key without policy:admin, and shows them to a team admin', async () => {
      const denied = await as(teamKey(teamA, ['models:read']))<Entities<EntityTeam>>(TEAM_MEMBERS, {
        variables: { r: teamRefs([teamA]) },
      });
      expect(errorsOf(denied).map((e) => e.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(denied.body)).not.toContain('user:ann');

      const data = expectNoErrors(
        await as(teamUser(teamA, 'ADMIN'))<Entities<EntityTeam>>(TEAM_MEMBERS, {
          variables: { r: teamRefs([teamA]) },
        }),
      );
      expect(data._entities[0]?.members).toEqual([{ userId: 'user:ann', role: 'MEMBER' }]);
    });
  });

  describe('Model access', () => {
    const invoker = (teamId: string) => teamKey(teamId, ['models:read', 'inference:invoke']);

    it("allows a model to a team whose rules allow it, batching the team's rules", async () => {
      const data = expectNoErrors(
        await as(invoker(teamA))<Entities<EntityModel>>(MODEL_ACCESS, {
          variables: { r: [modelRef('local/echo-chat'), modelRef('openai/gpt-4o')] },
        }),
      );
      expect(data._entities).toEqual([
        { id: 'local/echo-chat', access: { allowed: true, reason: null } },
        { id: 'openai/gpt-4o', access: { allowed: true, reason: null } },
      ]);
      expect(statements('FROM access_rules')).toBe(1);
    });

    it('denies it to a team without a rule, and says why', async () => {
      const data = expectNoErrors(
        await as(invoker(teamB))<Entities<EntityModel>>(MODEL_ACCESS, {
          variables: { r: [modelRef('local/echo-chat')] },
        }),
      );
      expect(data._entities[0]?.access).toEqual({
        allowed: false,
        reason: 'No rule grants local/echo-chat to the team.',
      });
    });

    it("denies across teams: a caller cannot borrow another team's rules", async () => {
      const data = expectNoErrors(
        await as(invoker(teamB))<Entities<EntityModel>>(MODEL_ACCESS, {
          variables: { r: [modelRef('local/echo-chat')], team: teamA },
        }),
      );
      expect(data._entities[0]?.access).toEqual({
        allowed: false,
        reason: 'You need the inference:invoke scope in a team.',
      });
    });

    it('refuses Model fields to a principal without models:read', async () => {
      const response = await as(teamKey(teamA, ['inference:invoke']))<Entities<EntityModel>>(
        MODEL_ACCESS,
        { variables: { r: [modelRef('local/echo-chat')] } },
      );
      expect(response.body.data?._entities).toEqual([null]);
      expect(errorsOf(response).map((e) => e.code)).toEqual(['FORBIDDEN']);
    });
  });
});
