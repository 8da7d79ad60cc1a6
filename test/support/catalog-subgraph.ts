import { readFileSync } from 'node:fs';
import type { Db } from '../../lib/db/index.js';
import {
  CATALOG_SCHEMA,
  createCatalogSubgraph,
  prepareCatalogStore,
} from '../../subgraphs/model-catalog/server.js';
import { createTestKeys, silentLogger } from './identities.js';
import { createTestDatabase, type TestDatabase } from './stores.js';
import { runSubgraph, type RunningSubgraph } from './subgraph-harness.js';
import { suiteResource } from './suite-resource.js';
import type { StoreMode } from './test-env.js';
import { STACK_START_TIMEOUT_MS } from './timeouts.js';

/** The catalog's seed as deployed: 3 providers, 7 models, 3 routes. */
export const catalogSeedYaml = readFileSync(
  new URL('../../deploy/models.yaml', import.meta.url),
  'utf8',
);

/** A Db that records the SQL of every query sent outside a transaction (reads, in practice). */
export interface RecordingDb extends Db {
  readonly statements: string[];
}

export function recordingDb(db: Db): RecordingDb {
  const statements: string[] = [];
  return {
    kind: db.kind,
    schema: db.schema,
    statements,
    query: <R extends object>(sql: string, params?: readonly unknown[]) => {
      statements.push(sql);
      return db.query<R>(sql, params);
    },
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

export interface RunningCatalog {
  subgraph: RunningSubgraph;
  db: RecordingDb;
  /** Moves the catalog's clock (not the database's) by `ms` from real time. */
  setClockOffset(ms: number): void;
  stop(): Promise<void>;
}

/**
 * The model-catalog subgraph over HTTP on a database of its own, migrated and seeded with
 * deploy/models.yaml (or `seedYaml`).
 */
export async function startCatalog(
  mode: StoreMode,
  seedYaml: string = catalogSeedYaml,
): Promise<RunningCatalog> {
  const database: TestDatabase = await createTestDatabase(mode);
  const db = recordingDb(await database.open(CATALOG_SCHEMA));
  await prepareCatalogStore(db, seedYaml);
  const keys = await createTestKeys();
  let offset = 0;
  const subgraph = await runSubgraph(
    createCatalogSubgraph({
      db,
      verifier: keys.verifier,
      logger: silentLogger,
      production: false,
      now: () => new Date(Date.now() + offset),
    }),
    keys,
  );
  return {
    subgraph,
    db,
    setClockOffset: (ms) => {
      offset = ms;
    },
    async stop() {
      await subgraph.stop();
      await database.drop();
    },
  };
}

/** A catalog started for the enclosing describe block (see suiteResource). */
export const useCatalog = (mode: StoreMode): RunningCatalog =>
  suiteResource(
    () => startCatalog(mode),
    (catalog) => catalog.stop(),
    STACK_START_TIMEOUT_MS,
  );
