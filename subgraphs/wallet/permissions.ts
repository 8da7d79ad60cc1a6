import { createPermissions, hasScopeInTeam, isAuthenticated } from '../../lib/auth/shield-rules.js';

// A wallet's id is its team's id, so every rule reads the team straight off the parent.
const readsTeamWallet = hasScopeInTeam<{ id: string }>('Team.id', 'wallet:read', (team) => team.id);
const readsWallet = hasScopeInTeam<{ id: string }>(
  'Wallet.id',
  'wallet:read',
  (wallet) => wallet.id,
);

export const walletPermissions = createPermissions({
  Query: {
    wallet: hasScopeInTeam<unknown, { id: string }>(
      'args.id',
      'wallet:read',
      (_p, args) => args.id,
    ),
  },
  Team: { id: isAuthenticated, wallet: readsTeamWallet },
  Wallet: readsWallet,
  Balance: isAuthenticated,
});
