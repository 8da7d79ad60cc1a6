import {
  allow,
  createPermissions,
  hasScopeInTeam,
  hasServiceScope,
  isAuthenticated,
  isOrgAdmin,
} from '../../lib/auth/shield-rules.js';

// A wallet's id is its team's id, so every rule reads the team straight off the parent or args.
const readsTeamWallet = hasScopeInTeam<{ id: string }>('Team.id', 'wallet:read', (team) => team.id);
const readsWallet = hasScopeInTeam<{ id: string }>(
  'Wallet.id',
  'wallet:read',
  (wallet) => wallet.id,
);
const isHoldService = hasServiceScope('wallet:hold');

/**
 * Teams read their own wallet; admins grant and refund; only platform services (and admins) move
 * holds; a team's wallet:admin sets its budget.
 */
export const walletPermissions = createPermissions({
  Query: {
    wallet: hasScopeInTeam<unknown, { id: string }>(
      'args.id',
      'wallet:read',
      (_p, args) => args.id,
    ),
    hold: isHoldService,
    holdByKey: isHoldService,
  },
  Mutation: {
    grantCredits: isOrgAdmin,
    refund: isOrgAdmin,
    authorizeHold: isHoldService,
    captureHold: isHoldService,
    voidHold: isHoldService,
    setBudget: hasScopeInTeam<unknown, { walletId: string }>(
      'args.walletId',
      'wallet:admin',
      (_p, args) => args.walletId,
    ),
  },
  Team: { id: isAuthenticated, wallet: readsTeamWallet },
  Wallet: readsWallet,
  Balance: isAuthenticated,
  Budget: isAuthenticated,
  Transaction: isAuthenticated,
  TransactionConnection: isAuthenticated,
  TransactionEdge: isAuthenticated,
  PageInfo: allow,
  Hold: isAuthenticated,
  ModelUsage: isAuthenticated,
  Model: isAuthenticated,
});
