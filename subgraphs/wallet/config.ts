import { parseConfig } from '../../lib/config.js';
import { subgraphEnv, subgraphSettings } from '../../lib/subgraph/subgraph-config.js';

const WalletEnv = subgraphEnv(4003);

export function loadWalletConfig(env: NodeJS.ProcessEnv = process.env) {
  return subgraphSettings('wallet', parseConfig(WalletEnv, env));
}
