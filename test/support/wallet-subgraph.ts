import type { Principal } from '../../lib/auth/principal.js';
import { createLedger, type Ledger } from '../../subgraphs/wallet/service/ledger/ledger.js';
import {
  WALLET_SCHEMA,
  createWalletSubgraph,
  prepareWalletStore,
} from '../../subgraphs/wallet/server.js';
import { recordingDb, type RecordingDb } from './catalog-subgraph.js';
import { createTestKeys, silentLogger, type TestKeys } from './identities.js';
import { createTestDatabase } from './stores.js';
import { runSubgraph, type RunningSubgraph } from './subgraph-harness.js';
import type { StoreMode } from './test-env.js';

export interface RunningWallet {
  subgraph: RunningSubgraph;
  /** The subgraph's database, recording the SQL of every query sent outside a transaction. */
  db: RecordingDb;
  /** A ledger on the same database, to fund wallets and make holds without going through HTTP. */
  ledger: Ledger;
  /** The keys its verifier trusts (to sign a service's own calls to it). */
  keys: TestKeys;
  stop(): Promise<void>;
}

/** The wallet subgraph over HTTP on a database of its own, migrated; the sweeper off. */
export async function startWallet(mode: StoreMode): Promise<RunningWallet> {
  const database = await createTestDatabase(mode);
  const db = recordingDb(await database.open(WALLET_SCHEMA));
  await prepareWalletStore(db);
  const keys = await createTestKeys();
  const subgraph = await runSubgraph(
    createWalletSubgraph({
      db,
      verifier: keys.verifier,
      logger: silentLogger,
      production: false,
      sweepIntervalMs: 0,
    }),
    keys,
  );
  return {
    subgraph,
    db,
    ledger: createLedger(db),
    keys,
    async stop() {
      await subgraph.stop();
      await database.drop();
    },
  };
}

/** A person in several teams, reading wallets in each (wallet:read by their MEMBER role). */
export const memberOf = (teamIds: string[], id = 'user:several'): Principal => ({
  id,
  kind: 'USER',
  orgId: 'default',
  roles: [],
  scopes: [],
  teams: teamIds.map((teamId) => ({ id: teamId, role: 'MEMBER', scopes: ['wallet:read'] })),
});
