import type { SubgraphNames } from './names.js';

/**
 * The new subgraph's own files, in the room plan of docs/add-a-subgraph.md: one real field,
 * `<camel>Info`, read from a one-table store through the whole path (shield, resolver, store).
 */
export function codeFiles(n: SubgraphNames): Record<string, string> {
  const dir = `subgraphs/${n.name}`;
  return {
    [`${dir}/schema.graphql`]: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

"""
An instant as an ISO-8601 string with a time zone, e.g. "2026-01-31T12:00:00Z".
"""
scalar DateTime

type Query {
  "What the ${n.name} subgraph's store records about it, and who is asking (anyone signed in)."
  ${n.camel}Info: ${n.pascal}Info!
}

"The ${n.name} subgraph, as its own store records it."
type ${n.pascal}Info {
  "The subgraph's name."
  service: String!
  "When the subgraph's store was first migrated."
  since: DateTime!
  "The caller's id, as the gateway authenticated them."
  callerId: ID!
}
`,
    [`${dir}/config.ts`]: `import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

/** Where the ${n.name} subgraph listens when run alone. */
export const ${n.constant}_PORT = ${n.port};

/** The variables every subgraph reads; add the ${n.name} subgraph's own with \`.extend({...})\`. */
const ${n.pascal}Env = subgraphEnv(${n.constant}_PORT);

export function load${n.pascal}Config(env: NodeJS.ProcessEnv = process.env) {
  return subgraphSettings('${n.name}', parseConfig(${n.pascal}Env, env));
}
`,
    [`${dir}/config.test.ts`]: `import { ${n.constant}_PORT, load${n.pascal}Config } from './config.js';

const PUBLIC = '-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----';

describe('${n.name} configuration', () => {
  it('needs the gateway public key, and says so', () => {
    expect(() => load${n.pascal}Config({})).toThrow(/MODELGRAPH_INTERNAL_PUBLIC_KEY: required/);
  });

  it('listens on its own port unless PORT says otherwise', () => {
    const env = { MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC };
    expect(load${n.pascal}Config(env)).toMatchObject({ name: '${n.name}', port: ${n.constant}_PORT });
    expect(load${n.pascal}Config({ ...env, PORT: '5123' }).port).toBe(5123);
  });
});
`,
    [`${dir}/context.ts`]: `import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { InfoStore } from './store/info-store.js';

/** What the ${n.name} subgraph's resolvers get per request. */
export interface ${n.pascal}Context extends SubgraphBaseContext {
  info: InfoStore;
}
`,
    [`${dir}/permissions.ts`]: `import { createPermissions, isAuthenticated } from '../../lib/auth/shield-rules.js';

/** Anyone signed in reads ${n.camel}Info. What is not named is denied. */
export const ${n.camel}Permissions = createPermissions({
  Query: { ${n.camel}Info: isAuthenticated },
  ${n.pascal}Info: isAuthenticated,
});
`,
    [`${dir}/resolvers/index.ts`]: `import { DateTimeScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Query } from './Query.js';

/** The ${n.name} subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
};
`,
    [`${dir}/resolvers/Query.ts`]: `import type { QueryResolvers } from '../generated/resolvers-types.js';

export const Query: QueryResolvers = {
  ${n.camel}Info: async (_parent, _args, ctx) => ({
    ...(await ctx.info.read()),
    callerId: ctx.principal.id,
  }),
};
`,
    [`${dir}/store/migrations.ts`]: `import type { Migration } from '../../../lib/db/index.js';

/** The ${n.name} subgraph's schema. Forward-only: a change is a new migration, never an edit. */
export const ${n.camel}Migrations: Migration[] = [
  {
    id: '001_service_info',
    sql: \`
-- One row: when this subgraph's store came to be (what ${n.camel}Info reports).
CREATE TABLE service_info (
  service text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO service_info (service) VALUES ('${n.name}');
\`,
  },
];
`,
    [`${dir}/store/info-store.ts`]: `import type { Db } from '../../../lib/db/index.js';

/** What the store records about the subgraph itself. */
export interface ServiceInfoRow {
  service: string;
  since: Date;
}

export function createInfoStore(db: Db) {
  return {
    /** The row the first migration wrote. */
    async read(): Promise<ServiceInfoRow> {
      const { rows } = await db.query<{ service: string; created_at: Date }>(
        'SELECT service, created_at FROM service_info',
      );
      const row = rows[0];
      if (!row) throw new Error('service_info is empty: the migrations have not run.');
      return { service: row.service, since: new Date(row.created_at) };
    },
  };
}

export type InfoStore = ReturnType<typeof createInfoStore>;
`,
    [`${dir}/server.ts`]: `import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { runMigrations, type Db } from '../../lib/db/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { StandaloneSubgraph } from '../../lib/subgraph/standalone-subgraph.js';
import { ${n.constant}_PORT } from './config.js';
import type { ${n.pascal}Context } from './context.js';
import { ${n.camel}Permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { createInfoStore } from './store/info-store.js';
import { ${n.camel}Migrations } from './store/migrations.js';

export const ${n.constant}_SCHEMA = '${n.snake}';
export const ${n.camel}TypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface ${n.pascal}Deps extends SubgraphBaseDeps {
  /** The subgraph's own database (schema \`${n.snake}\`). */
  db: Db;
}

export async function prepare${n.pascal}Store(db: Db): Promise<void> {
  await runMigrations(db, ${n.camel}Migrations);
}

/** The ${n.name} subgraph. */
export function create${n.pascal}Subgraph(deps: ${n.pascal}Deps) {
  const info = createInfoStore(deps.db);
  return createSubgraphServer<${n.pascal}Context>({
    name: '${n.name}',
    typeDefs: ${n.camel}TypeDefs,
    resolvers,
    permissions: ${n.camel}Permissions,
    buildContext: (base) => ({ ...base, info }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('${n.name}'),
    production: deps.production,
    checkReady: () => deps.db.ping(),
  });
}

/** How \`npm start\` and the test stack run it (listed in subgraphs/standalone-subgraphs.ts). */
export const ${n.camel}Subgraph: StandaloneSubgraph = {
  name: '${n.name}',
  defaultPort: ${n.constant}_PORT,
  dbSchema: ${n.constant}_SCHEMA,
  prepareStore: prepare${n.pascal}Store,
  create: create${n.pascal}Subgraph,
};
`,
    [`${dir}/main.ts`]: `import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { load${n.pascal}Config } from './config.js';
import { ${n.constant}_SCHEMA, create${n.pascal}Subgraph, prepare${n.pascal}Store } from './server.js';

const config = load${n.pascal}Config();

await runSubgraphMain(config, async (common) => {
  const db = await openSubgraphDb(config, ${n.constant}_SCHEMA);
  await prepare${n.pascal}Store(db);
  return { server: create${n.pascal}Subgraph({ ...common, db }), close: () => db.close() };
});
`,
  };
}
