import { createInternalTokenSigner, ISSUERS } from '../../lib/auth/internal-token.js';
import type { Principal } from '../../lib/auth/principal.js';
import { createServiceClient } from '../../lib/service-client.js';
import { createWalletClient } from '../../subgraphs/inference/clients/wallet-client.js';
import { INFERENCE_PRINCIPAL } from '../../subgraphs/inference/server.js';
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
  /** The platform's keys the subgraph trusts, to sign as a service would (service clients). */
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

/**
 * The inference service's wallet client against `running`, signing its own calls as inference
 * does (service scope wallet:hold); `close` ends its connections.
 */
export async function inferenceWalletClient(running: RunningWallet, timeoutMs = 5_000) {
  const client = createServiceClient({
    signer: await createInternalTokenSigner({
      privateKeyPem: running.keys.privateKeyPem,
      issuer: ISSUERS.inference,
    }),
    principal: INFERENCE_PRINCIPAL('default'),
    timeoutMs,
  });
  return {
    wallet: createWalletClient({ client, walletUrl: running.subgraph.url }),
    close: () => client.close(),
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
