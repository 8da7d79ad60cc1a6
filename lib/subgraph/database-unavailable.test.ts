import { parse } from 'graphql';
import { allow } from 'graphql-shield';
import { createPermissions } from '../auth/shield-rules.js';
import { createServiceMetrics } from '../metrics.js';
import { createTestKeys, orgAdmin, type TestKeys } from '../../test/support/identities.js';
import { createRecordingLogger } from '../../test/support/recording-logger.js';
import { runSubgraph, type RunningSubgraph } from '../../test/support/subgraph-harness.js';
import { createSubgraphServer } from './subgraph-server.js';

// An entity, so the subgraph has the `_entities` field every subgraph's rules allow.
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Thing @key(fields: "id") { id: ID! }
  type Query { restarting: Int  refused: Int  missingTable: Int  bug: Int }
`);
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
const resolvers = {
  Query: {
    restarting: () => {
      throw pgError('57P01', 'terminating connection due to administrator command');
    },
    refused: () => {
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
      });
    },
    missingTable: () => {
      throw pgError('42P01', 'relation "ledger" does not exist');
    },
    bug: () => {
      throw new Error('boom');
    },
  },
};

// Every subgraph formats errors through createSubgraphServer: a resolver whose database is gone
// answers SERVICE_UNAVAILABLE, and the driver's error goes to the log, not to the client.
describe.each([true, false])(
  'a subgraph whose database is unreachable (production %s)',
  (production) => {
    let keys: TestKeys;
    let subgraph: RunningSubgraph;
    const log = createRecordingLogger();

    beforeAll(async () => {
      keys = await createTestKeys();
      subgraph = await runSubgraph(
        createSubgraphServer({
          name: 'test',
          typeDefs,
          resolvers,
          permissions: createPermissions({ Query: { '*': allow } }),
          buildContext: (base) => base,
          verifier: keys.verifier,
          logger: log.logger,
          metrics: createServiceMetrics('test'),
          production,
          checkReady: async () => undefined,
        }),
        keys,
      );
    });
    afterAll(async () => {
      await subgraph?.stop();
    });
    beforeEach(() => {
      log.lines.length = 0;
    });

    it.each(['restarting', 'refused'])(
      'answers %s with SERVICE_UNAVAILABLE and logs the original',
      async (field) => {
        const response = await subgraph.as(orgAdmin())(`{ ${field} }`);
        expect(response.body.errors).toEqual([
          {
            message: 'The database is unavailable right now; try again.',
            locations: [{ line: 1, column: 3 }],
            path: [field],
            extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
          },
        ]);
        expect(log.errors()).toEqual([
          expect.objectContaining({
            msg: 'operation error',
            err: expect.objectContaining({
              message: expect.stringMatching(/terminating connection|ECONNREFUSED/),
            }),
          }),
        ]);
      },
    );

    it.each(['missingTable', 'bug'])('keeps INTERNAL_SERVER_ERROR for %s', async (field) => {
      const response = await subgraph.as(orgAdmin())(`{ ${field} }`);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(log.errors()).toHaveLength(1);
    });
  },
);
