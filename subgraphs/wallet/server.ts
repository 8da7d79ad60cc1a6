import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { runMigrations, type Db } from '../../lib/db/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { WalletContext } from './context.js';
import { createWalletLoaders } from './loaders.js';
import { walletPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { walletMigrations } from './store/migrations.js';
import { createWalletStore } from './store/wallet-store.js';

export const WALLET_SCHEMA = 'wallet';
export const walletTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface WalletDeps extends SubgraphBaseDeps {
  db: Db;
}

export async function prepareWalletStore(db: Db): Promise<void> {
  await runMigrations(db, walletMigrations);
}

/** The wallet subgraph: each team's prepaid credits. */
export function createWalletSubgraph(deps: WalletDeps) {
  const stores = { wallets: createWalletStore(deps.db) };
  return createSubgraphServer<WalletContext>({
    name: 'wallet',
    typeDefs: walletTypeDefs,
    resolvers,
    permissions: walletPermissions,
    buildContext: (base) => ({ ...base, loaders: createWalletLoaders(stores) }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics: deps.metrics ?? createServiceMetrics('wallet'),
    production: deps.production,
    checkReady: () => deps.db.ping(),
  });
}
