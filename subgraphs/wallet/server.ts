import type { DrainOptions } from '../../lib/http/drain.js';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { runMigrations, type Db } from '../../lib/db/index.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import type { WalletContext } from './context.js';
import { createLedger } from './service/ledger/ledger.js';
import { createWalletLoaders } from './loaders.js';
import { walletPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { walletMigrations } from './store/migrations.js';
import { createHoldSweeper } from './service/sweeper.js';
import { createInvariantMonitor } from './service/invariant-monitor.js';
import {
  createHoldGauges,
  createSweepMetrics,
  instrumentLedger,
} from './service/wallet-metrics.js';

export const WALLET_SCHEMA = 'wallet';
export const walletTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface WalletDeps extends SubgraphBaseDeps {
  db: Db;
  /** How often expired holds are released; 0 turns the sweeper off. @default 5000 */
  sweepIntervalMs?: number;
  /** How often the ledger's invariants are checked (and at start); 0 turns it off. @default 300000 */
  invariantCheckIntervalMs?: number;
}

export async function prepareWalletStore(db: Db): Promise<void> {
  await runMigrations(db, walletMigrations);
}

/** The wallet subgraph: each team's prepaid credits on a double-entry ledger. */
export function createWalletSubgraph(deps: WalletDeps) {
  const metrics = deps.metrics ?? createServiceMetrics('wallet');
  const ledger = instrumentLedger(createLedger(deps.db), metrics.registry);
  createHoldGauges(deps.db, metrics.registry);
  const sweeper = createHoldSweeper(
    ledger,
    deps.logger,
    deps.sweepIntervalMs ?? 5000,
    createSweepMetrics(metrics.registry),
  );
  const invariants = createInvariantMonitor(
    deps.db,
    metrics.registry,
    deps.logger,
    deps.invariantCheckIntervalMs ?? 300_000,
  );
  const server = createSubgraphServer<WalletContext>({
    name: 'wallet',
    typeDefs: walletTypeDefs,
    resolvers,
    permissions: walletPermissions,
    buildContext: (base) => ({ ...base, loaders: createWalletLoaders(ledger.reads), ledger }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics,
    production: deps.production,
    checkReady: () => deps.db.ping(),
  });
  return {
    ...server,
    async start() {
      await server.start();
      sweeper.start();
      invariants.start();
    },
    async stop(drain?: DrainOptions) {
      await Promise.all([sweeper.stop(), invariants.stop()]);
      await server.stop(drain);
    },
  };
}
