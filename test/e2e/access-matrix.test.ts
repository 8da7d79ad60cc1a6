import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createKeyAs, REVOKE_API_KEY } from '../support/api-keys.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

type Outcome = 'OK' | 'FORBIDDEN' | 'UNAUTHENTICATED';
type Vars = Record<string, unknown>;

/** What the rows need: team A, its wallet's holds and capture, a model the admin may change. */
interface Fixture {
  stack: Stack;
  teamA: string;
  ruleToRemove: string;
  holdToCapture: string;
  holdToVoid: string;
  captureId: string;
  modelId: string;
}

interface Operation {
  query: string;
  /** Builds the variables, creating a fresh target (as the org admin) where success would use one up. */
  vars: (f: Fixture) => Vars | Promise<Vars>;
}

const fresh = () => randomUUID().slice(0, 8);
const asAdmin = (f: Fixture, query: string, variables: Vars) =>
  f.stack.request(query, { token: TEST_ADMIN_KEY, variables }).then(expectNoErrors);
const ADD_MEMBER = `mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { userId } }`;
const GRANT = `mutation($w: ID!, $k: String!) {
  grantCredits(walletId: $w, amount: "1000000", idempotencyKey: $k) { id } }`;
const HOLD = `mutation($w: ID!, $k: String!) {
  authorizeHold(walletId: $w, amount: "100", idempotencyKey: $k, expiresInSeconds: 600) { id } }`;
const REGISTER_MODEL = `mutation($id: ID!) { registerModel(input: { id: $id, providerId: "openai",
  displayName: "Matrix", capabilities: [CHAT], contextWindow: 1024, maxOutputTokens: 256,
  price: { inputPerMillion: "1", outputPerMillion: "1" } }) { id } }`;

const OPERATIONS: Record<string, Operation> = {
  registerModel: { query: REGISTER_MODEL, vars: () => ({ id: `openai/matrix-${fresh()}` }) },
  updateModel: {
    query: `mutation($id: ID!) { updateModel(id: $id, input: { displayName: "Renamed" }) { id } }`,
    vars: (f) => ({ id: f.modelId }),
  },
  deprecateModel: {
    query: `mutation($id: ID!) { deprecateModel(id: $id) { id } }`,
    vars: (f) => ({ id: f.modelId }),
  },
  registerProvider: {
    query: `mutation($id: ID!) { registerProvider(input: { id: $id, displayName: "P", kind: LOCAL }) { id } }`,
    vars: () => ({ id: `p-${fresh()}` }),
  },
  setModelRoute: {
    query: `mutation($a: ID!) { setModelRoute(input: { alias: $a, strategy: FALLBACK,
      targets: [{ modelId: "local/echo-chat" }] }) { alias } }`,
    vars: () => ({ a: `r-${fresh()}` }),
  },
  createTeam: {
    query: `mutation($n: String!) { createTeam(input: { name: $n }) { id } }`,
    vars: () => ({ n: `Matrix ${fresh()}` }),
  },
  addTeamMember: {
    query: ADD_MEMBER,
    vars: (f) => ({ input: { teamId: f.teamA, userId: `new-${fresh()}`, role: 'MEMBER' } }),
  },
  removeTeamMember: {
    query: `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { userId } }`,
    vars: async (f) => {
      const u = `leaver-${fresh()}`;
      await asAdmin(f, ADD_MEMBER, { input: { teamId: f.teamA, userId: u, role: 'MEMBER' } });
      return { t: f.teamA, u };
    },
  },
  createApiKey: {
    query: `mutation($t: ID!) { createApiKey(input: { teamId: $t, name: "m", scopes: ["models:read"] }) { secret } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  revokeApiKey: {
    query: REVOKE_API_KEY,
    vars: async (f) => ({
      id: (await createKeyAs(f.stack, TEST_ADMIN_KEY, { teamId: f.teamA, scopes: ['models:read'] }))
        .id,
    }),
  },
  grantCredits: { query: GRANT, vars: (f) => ({ w: f.teamA, k: fresh() }) },
  refund: {
    query: `mutation($c: ID!, $k: String!) { refund(captureId: $c, amount: "1", idempotencyKey: $k) { id } }`,
    vars: (f) => ({ c: f.captureId, k: fresh() }),
  },
  authorizeHold: { query: HOLD, vars: (f) => ({ w: f.teamA, k: fresh() }) },
  captureHold: {
    query: `mutation($h: ID!, $k: String!) { captureHold(holdId: $h, amount: "50", idempotencyKey: $k) { id } }`,
    vars: (f) => ({ h: f.holdToCapture, k: fresh() }),
  },
  voidHold: {
    query: `mutation($h: ID!) { voidHold(holdId: $h) { id } }`,
    vars: (f) => ({ h: f.holdToVoid }),
  },
  holdByKey: {
    query: `query($w: ID!) { holdByKey(walletId: $w, idempotencyKey: "matrix-captured") { id } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  setBudget: {
    query: `mutation($w: ID!) { setBudget(walletId: $w, input: { monthlyLimit: "1000000000000" }) { id } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  setQuota: {
    query: `mutation($t: ID!) { setQuota(teamId: $t, input: { requestsPerMinute: 100000 }) { id } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  setModelAccess: {
    query: `mutation($t: ID!, $v: String!) {
      setModelAccess(input: { teamId: $t, effect: ALLOW, subject: TAG, value: $v }) { id } }`,
    vars: (f) => ({ t: f.teamA, v: `t${fresh()}` }),
  },
  removeModelAccess: {
    query: `mutation($id: ID!) { removeModelAccess(id: $id) { id } }`,
    vars: (f) => ({ id: f.ruleToRemove }),
  },
  accessDecisions: {
    query: `query($t: ID!) { accessDecisions(checks: [{ teamId: $t, modelId: "local/echo-chat",
      providerId: "local", capabilities: [CHAT], tags: [], modelClassification: RESTRICTED }]) { allowed } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  'team members/apiKeys': {
    query: `query($id: ID!) { team(id: $id) { members { userId } apiKeys { prefix } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  auditLog: {
    query: `query($id: ID!) { auditLog(teamId: $id) { totalCount } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  wallet: {
    query: `query($id: ID!) { wallet(id: $id) { balance { available } transactions { totalCount } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  'team wallet budget': {
    query: `query($id: ID!) { team(id: $id) { wallet { budget { monthlyLimit } } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  'provider secrets': {
    query: `{ provider(id: "openai") { apiKeyEnv baseUrl } }`,
    vars: () => ({}),
  },
  models: { query: `{ models { totalCount } }`, vars: () => ({}) },
};

// prettier-ignore
const PRINCIPALS = [
  'org admin', 'OWNER', 'ADMIN', 'MEMBER', 'VIEWER', 'key (all scopes)', 'key (models:read)',
  'other-team ADMIN', 'revoked key', 'expired key',
] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

const O = 'OK';
const F = 'FORBIDDEN';
/*
 * Columns follow PRINCIPALS up to the other team's ADMIN; revoked and expired keys are refused
 * (HTTP 401) before any rule runs, so their columns are added below. API keys never manage
 * people (addTeamMember/removeTeamMember), whatever their scopes; the catalog is org-wide, so any
 * team's models:read reads it.
 */
// prettier-ignore
const EXPECTED: Record<string, Outcome[]> = {
  //                      org OWNER ADMIN MEMBER VIEWER keyAll keyRead otherB
  registerModel:          [O,  F,    F,    F,     F,     F,     F,      F],
  updateModel:            [O,  F,    F,    F,     F,     F,     F,      F],
  deprecateModel:         [O,  F,    F,    F,     F,     F,     F,      F],
  registerProvider:       [O,  F,    F,    F,     F,     F,     F,      F],
  setModelRoute:          [O,  F,    F,    F,     F,     F,     F,      F],
  createTeam:             [O,  F,    F,    F,     F,     F,     F,      F],
  addTeamMember:          [O,  O,    O,    F,     F,     F,     F,      F],
  removeTeamMember:       [O,  O,    O,    F,     F,     F,     F,      F],
  createApiKey:           [O,  O,    O,    F,     F,     O,     F,      F],
  revokeApiKey:           [O,  O,    O,    F,     F,     O,     F,      F],
  grantCredits:           [O,  F,    F,    F,     F,     F,     F,      F],
  refund:                 [O,  F,    F,    F,     F,     F,     F,      F],
  authorizeHold:          [O,  F,    F,    F,     F,     F,     F,      F],
  captureHold:            [O,  F,    F,    F,     F,     F,     F,      F],
  voidHold:               [O,  F,    F,    F,     F,     F,     F,      F],
  holdByKey:              [O,  F,    F,    F,     F,     F,     F,      F],
  setBudget:              [O,  O,    O,    F,     F,     O,     F,      F],
  setQuota:               [O,  F,    F,    F,     F,     F,     F,      F],
  setModelAccess:         [O,  F,    F,    F,     F,     F,     F,      F],
  removeModelAccess:      [O,  F,    F,    F,     F,     F,     F,      F],
  accessDecisions:        [O,  F,    F,    F,     F,     F,     F,      F],
  'team members/apiKeys': [O,  O,    O,    F,     F,     O,     F,      F],
  auditLog:               [O,  O,    O,    F,     F,     O,     F,      F],
  wallet:                 [O,  O,    O,    O,     O,     O,     F,      F],
  'team wallet budget':   [O,  O,    O,    O,     O,     O,     F,      F],
  'provider secrets':     [O,  F,    F,    F,     F,     F,     F,      F],
  models:                 [O,  O,    O,    O,     O,     O,     O,      O],
};

const CELLS = Object.entries(EXPECTED).flatMap(([operation, row]) =>
  PRINCIPALS.map((principal, i) => ({
    principal,
    operation,
    expected: (row[i] ?? 'UNAUTHENTICATED') as Outcome,
  })),
);

// Every store mode: both together stay under ~20 s, and revocation and grant invalidation run
// through the shared cache, which is memory on embedded stores and Redis on real ones.
describe.each(STORE_MODES)('the access matrix (%s stores)', (mode) => {
  const fixture = {} as Fixture;
  const tokens = {} as Record<PrincipalName, string>;
  let dir: string;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    dir = await mkdtemp(join(tmpdir(), 'modelgraph-matrix-'));
    const jwksFile = join(dir, 'jwks.json');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    const stack = await startStack({
      mode,
      gateway: {
        oidc: {
          ...{ issuer: 'https://idp.test', audience: 'modelgraph', jwksFile, jwksUrl: undefined },
          ...{ algorithms: ['RS256'], rolesClaim: 'roles', adminRole: 'modelgraph-admin' },
        },
      },
    });
    const userToken = (sub: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://idp.test')
        .setAudience('modelgraph')
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);

    const { teamId: teamA, key: allKey } = await stack.createTeamWithKey('Team A', [
      'models:read',
      'inference:invoke',
      'wallet:read',
      'wallet:admin',
      'policy:admin',
    ]);
    Object.assign(fixture, { stack, teamA });
    // The expired key's clock starts first, so the rest of the setup counts towards its wait.
    const expiresAt = Date.now() + 1500;
    const keyInput = { teamId: teamA, scopes: ['models:read'] };
    const expired = await createKeyAs(stack, TEST_ADMIN_KEY, {
      ...keyInput,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    const readKey = await createKeyAs(stack, TEST_ADMIN_KEY, keyInput);
    const revoked = await createKeyAs(stack, TEST_ADMIN_KEY, keyInput);
    // Both used once while valid, so revocation and expiry must overturn a cached principal.
    for (const { secret } of [revoked, expired]) {
      expectNoErrors(await stack.request('{ viewer { id } }', { token: secret }));
    }
    await asAdmin(fixture, REVOKE_API_KEY, { id: revoked.id });

    const { teamId: teamB } = await stack.createTeamWithKey('Team B', ['models:read']);
    const people = {
      ...{ OWNER: ['OWNER', teamA], ADMIN: ['ADMIN', teamA], MEMBER: ['MEMBER', teamA] },
      ...{ VIEWER: ['VIEWER', teamA], 'other-team ADMIN': ['ADMIN', teamB] },
    } as const;
    for (const [name, [role, teamId]] of Object.entries(people)) {
      const userId = `${role.toLowerCase()}-of-${teamId}`;
      await asAdmin(fixture, ADD_MEMBER, { input: { teamId, userId, role } });
      tokens[name as PrincipalName] = await userToken(userId);
    }

    await asAdmin(fixture, GRANT, { w: teamA, k: 'matrix-grant' });
    const hold = async (k = fresh()) =>
      (await asAdmin(fixture, HOLD, { w: teamA, k })).authorizeHold.id;
    const captured = await hold('matrix-captured');
    await asAdmin(fixture, OPERATIONS.captureHold.query, { h: captured, k: fresh() });
    const { wallet } = await asAdmin(
      fixture,
      `query($w: ID!) { wallet(id: $w) { transactions(filter: { kinds: [CAPTURE] }) {
        edges { node { id } } } } }`,
      { w: teamA },
    );
    Object.assign(fixture, {
      holdToCapture: await hold(),
      holdToVoid: await hold(),
      captureId: wallet.transactions.edges[0].node.id,
      modelId: (await asAdmin(fixture, REGISTER_MODEL, { id: `openai/matrix-${fresh()}` }))
        .registerModel.id,
    });
    fixture.ruleToRemove = (
      await asAdmin(fixture, OPERATIONS.setModelAccess.query, { t: teamA, v: `t${fresh()}` })
    ).setModelAccess.id;
    // A budget to read in the 'team wallet budget' row (null would hide a missing field).
    await asAdmin(fixture, OPERATIONS.setBudget.query, { w: teamA });

    Object.assign(tokens, {
      'org admin': TEST_ADMIN_KEY,
      'key (all scopes)': allKey,
      'key (models:read)': readKey.secret,
      'revoked key': revoked.secret,
      'expired key': expired.secret,
    });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 100 - Date.now())));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await fixture.stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(CELLS)(
    '$principal × $operation → $expected',
    async ({ principal, operation, expected }) => {
      const op = OPERATIONS[operation];
      const response = await fixture.stack.request(op.query, {
        token: tokens[principal],
        variables: await op.vars(fixture),
      });
      if (expected === 'OK') {
        const data = expectNoErrors(response);
        expect(Object.values(data).every((value) => value !== null)).toBe(true);
      } else {
        expectErrorCode(response, expected);
        expect(response.status).toBe(expected === 'UNAUTHENTICATED' ? 401 : 200);
      }
    },
  );
});
