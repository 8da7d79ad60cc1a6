import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadWalletConfig } from './config.js';
import { WALLET_SCHEMA, createWalletSubgraph, prepareWalletStore } from './server.js';

const config = loadWalletConfig();

await runSubgraphMain(config, async (common) => {
  const db = await openSubgraphDb(config, WALLET_SCHEMA);
  await prepareWalletStore(db);
  return {
    server: createWalletSubgraph({
      ...common,
      db,
      sweepIntervalMs: config.sweepIntervalMs,
      invariantCheckIntervalMs: config.invariantCheckIntervalMs,
    }),
    close: () => db.close(),
  };
});
