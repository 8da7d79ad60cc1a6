import { readFileSync } from 'node:fs';
import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadCatalogConfig } from './config.js';
import { CATALOG_SCHEMA, createCatalogSubgraph, prepareCatalogStore } from './server.js';

const config = loadCatalogConfig();

await runSubgraphMain(config, async (common) => {
  const db = await openSubgraphDb(config, CATALOG_SCHEMA);
  if (await prepareCatalogStore(db, readFileSync(config.seedFile, 'utf8'))) {
    common.logger.info({ seedFile: config.seedFile }, 'catalog seeded');
  }
  return { server: createCatalogSubgraph({ ...common, db }), close: () => db.close() };
});
