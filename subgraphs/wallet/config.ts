import { z } from 'zod';
import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

const WalletEnv = subgraphEnv(4003).extend({
  /** How often expired holds are released; 0 turns the sweeper off on this replica. */
  WALLET_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  /** How often the ledger's invariants are checked (and once at start); 0 turns it off. */
  WALLET_INVARIANT_CHECK_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
});

export function loadWalletConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(WalletEnv, env);
  return {
    ...subgraphSettings('wallet', e),
    sweepIntervalMs: e.WALLET_SWEEP_INTERVAL_MS,
    invariantCheckIntervalMs: e.WALLET_INVARIANT_CHECK_INTERVAL_MS,
  };
}
