import { readFile } from 'node:fs/promises';
import { checkSchema, type SchemaCheckResult } from '../../gateway/schema-check/check-schema.js';
import { schemaCheckReport } from '../../gateway/schema-check/schema-check-report.js';
import {
  gatewayUsageSource,
  readAllDocuments,
  type TrustedDocumentPage,
  type UsageSource,
} from '../../gateway/schema-check/usage-source.js';
import {
  SUPERGRAPH_FILE,
  composeSupergraph,
  readSubgraphs,
} from '../../gateway/supergraph/compose.js';
import { eventually } from '../support/eventually.js';
import { expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const TEAMS = 'query Teams { teams { id name } }';
// Leaves `first` out: making it required breaks this operation though it never passed it.
const MODELS = 'query Models { models { totalCount } }';

/** Trusted documents as policy's `trustedDocuments` pages them (the shared contract). */
const REGISTERED_PAGES: TrustedDocumentPage[] = [
  {
    trustedDocuments: {
      edges: [
        {
          node: {
            id: 'a'.repeat(64),
            clientName: 'android',
            clientVersion: '5.0',
            operationName: 'TeamAge',
            body: 'query TeamAge { teams { createdAt } }',
          },
        },
      ],
      pageInfo: { hasNextPage: true, endCursor: 'page-1' },
    },
  },
  {
    trustedDocuments: {
      edges: [
        {
          node: {
            id: 'b'.repeat(64),
            clientName: 'android',
            clientVersion: '5.0',
            operationName: null,
            body: '{ viewer { id } }',
          },
        },
      ],
      pageInfo: { hasNextPage: false, endCursor: 'page-2' },
    },
  },
];

/** The working tree's subgraphs with one subgraph's SDL edited, composed. */
async function proposedWith(subgraph: string, edit: (sdl: string) => string) {
  const subgraphs = await readSubgraphs();
  return composeSupergraph(
    subgraphs.map((s) => {
      if (s.name !== subgraph) return s;
      const typeDefs = edit(s.typeDefs);
      if (typeDefs === s.typeDefs) throw new Error(`the edit changed nothing in ${subgraph}`);
      return { ...s, typeDefs };
    }),
  );
}

const TEAM_NAME = '  "A unique name for people."\n  name: String!\n';
const TEAM_CREATED = '  "When the team was created."\n  createdAt: DateTime!\n';

describe.each(STORE_MODES)('schema checks against recorded usage (%s stores)', (mode) => {
  let stack: Stack;
  let current: string;
  let usage: UsageSource;
  beforeAll(async () => {
    stack = await startStack({
      mode,
      gateway: { usage: { enabled: true, flushIntervalMs: 100, maxPending: 10_000 } },
    });
    current = await readFile(SUPERGRAPH_FILE, 'utf8');
    const headers = {
      'apollographql-client-name': 'web',
      'apollographql-client-version': '1.0',
    };
    expectNoErrors(await stack.request(TEAMS, { token: TEST_ADMIN_KEY, headers }));
    expectNoErrors(await stack.request(MODELS, { token: TEST_ADMIN_KEY, headers }));
    const platform = gatewayUsageSource(stack.url, TEST_ADMIN_KEY);
    usage = {
      fieldUsage: platform.fieldUsage,
      trustedDocuments: () => readAllDocuments(async (after) => REGISTERED_PAGES[after ? 1 : 0]!),
    };
    await eventually(
      'the traffic recorded',
      async () => {
        const uses = await platform.fieldUsage(['Team.name', 'Query.models'], new Date(0));
        return uses.length === 2 ? uses : undefined;
      },
      { timeoutMs: 30_000 },
    );
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  const check = async (subgraph: string, edit: (sdl: string) => string) => {
    const result = await checkSchema({
      current,
      proposed: await proposedWith(subgraph, edit),
      usageSource: usage,
    });
    expect(schemaCheckReport(result)).toContain(result.passed ? 'PASSED' : 'FAILED');
    return result;
  };
  const changeAt = (result: SchemaCheckResult, path: string) => {
    const change = result.changes.find((c) => c.path === path);
    if (!change) throw new Error(`no change at ${path}:\n${schemaCheckReport(result)}`);
    return change;
  };

  it('fails when a removed field is used by recent traffic, naming the client and operation', async () => {
    const result = await check('policy', (sdl) => sdl.replace(TEAM_NAME, ''));
    expect(result.passed).toBe(false);
    const change = changeAt(result, 'Team.name');
    expect(change).toMatchObject({ level: 'breaking', blocking: true });
    expect(change.usedBy).toEqual([
      { client: 'web@1.0', operation: 'Teams', source: 'traffic', count: 1 },
    ]);
    expect(schemaCheckReport(result)).toContain('web@1.0 Teams (1 run)');
  });

  it('fails when a removed field is used by a registered document', async () => {
    const result = await check('policy', (sdl) => sdl.replace(TEAM_CREATED, ''));
    expect(result.passed).toBe(false);
    expect(changeAt(result, 'Team.createdAt').usedBy).toEqual([
      { client: 'android@5.0', operation: 'TeamAge', source: 'registered' },
    ]);
  });

  it('passes a removed field nobody uses, reporting it as breaking but unused', async () => {
    const result = await check('policy', (sdl) =>
      sdl.replace(
        '  "How much of each limit is left right now, shared across every replica."\n  rateLimitStatus: RateLimitStatus!\n',
        '',
      ),
    );
    expect(result.passed).toBe(true);
    expect(changeAt(result, 'Team.rateLimitStatus')).toMatchObject({
      level: 'breaking',
      blocking: false,
      usedBy: [],
    });
  });

  it('classifies an added optional argument as safe', async () => {
    const result = await check('policy', (sdl) =>
      sdl.replace(
        '  teams: [Team!]!',
        '  teams("Only teams whose name starts with this." namePrefix: String): [Team!]!',
      ),
    );
    expect(result.passed).toBe(true);
    expect(changeAt(result, 'Query.teams.namePrefix').level).toBe('safe');
  });

  it('classifies an argument made required as breaking, failing for callers of the field', async () => {
    const result = await check('model-catalog', (sdl) =>
      sdl.replace(
        '    "How many models to return: 0 to 100, default 20."\n    first: Int\n    "The `endCursor` of the previous page."\n    after: String\n  ): ModelConnection!',
        '    "How many models to return: 0 to 100, default 20."\n    first: Int!\n    "The `endCursor` of the previous page."\n    after: String\n  ): ModelConnection!',
      ),
    );
    const change = changeAt(result, 'Query.models.first');
    expect(change.level).toBe('breaking');
    expect(change.usedBy).toContainEqual({
      client: 'web@1.0',
      operation: 'Models',
      source: 'traffic',
      count: 1,
    });
    expect(result.passed).toBe(false);
  });

  it('reports deprecated fields with the usage they still have', async () => {
    const result = await check('policy', (sdl) =>
      sdl
        .replace('  name: String!\n', '  name: String! @deprecated(reason: "Use label.")\n')
        .replace(
          TEAM_CREATED,
          '  "When the team was created."\n  createdAt: DateTime! @deprecated\n',
        ),
    );
    expect(result.passed).toBe(true);
    const byCoordinate = Object.fromEntries(result.deprecations.map((d) => [d.coordinate, d]));
    expect(byCoordinate['Team.name']).toEqual({
      coordinate: 'Team.name',
      reason: 'Use label.',
      usedBy: [{ client: 'web@1.0', operation: 'Teams', source: 'traffic', count: 1 }],
    });
    expect(byCoordinate['Team.createdAt']?.usedBy).toEqual([
      { client: 'android@5.0', operation: 'TeamAge', source: 'registered' },
    ]);
    expect(schemaCheckReport(result)).toContain('Team.name (Use label.): still used by: web@1.0');
  });

  it('runs the diff alone when no platform is configured, and says so', async () => {
    const result = await checkSchema({
      current,
      proposed: await proposedWith('policy', (sdl) => sdl.replace(TEAM_NAME, '')),
    });
    expect(result).toMatchObject({ usageConsulted: false, passed: true });
    expect(schemaCheckReport(result)).toContain('usage: NOT consulted');
  });
});
