import type { SubgraphNames } from './names.js';

/**
 * The new subgraph's tests beyond config.test.ts: its rules (unit), the built subgraph over HTTP,
 * and a call through the gateway. Composition is covered by test/composition.test.ts, which
 * reads every subgraph folder.
 */
export function testFiles(n: SubgraphNames): Record<string, string> {
  const info = `${n.camel}Info`;
  const infoType = `{ ${info}: { service: string; since: string; callerId: string } }`;
  return {
    [`subgraphs/${n.name}/permissions.test.ts`]: `import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { Principal } from '../../lib/auth/principal.js';
import { teamKey } from '../../test/support/identities.js';
import { ${n.camel}Permissions } from './permissions.js';
import { ${n.camel}TypeDefs } from './server.js';

// The subgraph's schema plus one field no rule names, as every new field is until
// permissions.ts names it.
const schema = applyMiddleware(
  buildSubgraphSchema([
    { typeDefs: ${n.camel}TypeDefs },
    {
      typeDefs: parse('extend type Query { unnamed: String }'),
      resolvers: { Query: { unnamed: () => 'leak' } },
    },
  ]),
  ${n.camel}Permissions,
);

async function codesOf(source: string, principal: Principal | null) {
  const result = await graphql({ schema, source, contextValue: { principal } });
  return { data: result.data, codes: (result.errors ?? []).map((e) => e.extensions.code) };
}

describe('${n.name} permissions', () => {
  it('want a signed-in caller for ${info}', async () => {
    expect(await codesOf('{ ${info} { service } }', null)).toEqual({
      data: null,
      codes: ['UNAUTHENTICATED'],
    });
  });

  it('deny a field they do not name, even to a signed-in caller', async () => {
    expect(await codesOf('{ unnamed }', teamKey('team-a', ['models:read']))).toEqual({
      data: { unnamed: null },
      codes: ['FORBIDDEN'],
    });
  });
});
`,
    [`subgraphs/${n.name}/${n.name}.subgraph.test.ts`]: `import { randomUUID } from 'node:crypto';
import { expectNoErrors, gql } from '../../test/support/graphql-client.js';
import { createTestKeys, silentLogger, teamKey } from '../../test/support/identities.js';
import { runSubgraph, type RunningSubgraph } from '../../test/support/subgraph-harness.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';
import { typed } from '../../test/support/typed-document.js';
import { ${n.constant}_SCHEMA, create${n.pascal}Subgraph, prepare${n.pascal}Store } from './server.js';

const INFO = typed<${infoType}>('{ ${info} { service since callerId } }');

describe.each(STORE_MODES)('the ${n.name} subgraph (%s stores)', (mode) => {
  let database: TestDatabase;
  let subgraph: RunningSubgraph;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    const db = await database.open(${n.constant}_SCHEMA);
    await prepare${n.pascal}Store(db);
    await prepare${n.pascal}Store(db); // a second start applies nothing twice
    const keys = await createTestKeys();
    const server = create${n.pascal}Subgraph({
      verifier: keys.verifier,
      logger: silentLogger,
      production: false,
      db,
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
    expect(data.${info}).toEqual({
      service: '${n.name}',
      since: expect.stringMatching(/^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$/),
      callerId: 'key:reader',
    });
    expect(Date.parse(data.${info}.since)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a request that does not carry the gateway-signed internal token', async () => {
    const response = await gql(subgraph.url, INFO);
    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
  });
});
`,
    [`test/e2e/${n.name}.test.ts`]: `import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';
import { typed } from '../support/typed-document.js';

const INFO = typed<${infoType}>('{ ${info} { service since callerId } }');

describe.each(STORE_MODES)('the ${n.name} subgraph through the gateway (%s stores)', (mode) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ mode });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it("answers a team's API key, which the gateway authenticated", async () => {
    const { key, keyId } = await stack.createTeamWithKey('${n.pascal} readers', ['models:read']);
    const data = expectNoErrors(await stack.request(INFO, { token: key }));
    expect(data.${info}).toMatchObject({ service: '${n.name}' });
    expect(data.${info}.callerId).toContain(keyId);
  });

  it('refuses a caller without credentials', async () => {
    expectErrorCode(await stack.request(INFO), 'UNAUTHENTICATED');
  });
});
`,
  };
}
