import { and, rule } from 'graphql-shield';
import {
  allow,
  createPermissions,
  hasScopeInTeam,
  hasServiceScope,
  isAuthenticated,
  isOrgAdmin,
  type AuthContext,
} from '../../lib/auth/shield-rules.js';
import { unauthenticated } from '../../lib/errors.js';
import { ownWalletTeam } from './service/own-wallet.js';

// A wallet's id is its team's id, so every rule reads the team straight off the parent or args.
const readsTeamWallet = hasScopeInTeam<{ id: string }>('Team.id', 'wallet:read', (team) => team.id);
const readsWallet = hasScopeInTeam<{ id: string }>(
  'Wallet.id',
  'wallet:read',
  (wallet) => wallet.id,
);
const isHoldService = hasServiceScope('wallet:hold');

// myWallet: the caller's own team must be clear (ownWalletTeam says why not), then the rule is
// the one for reading any wallet: wallet:read in its team.
type MyWalletArgs = { teamId?: string | null };
const ownTeamOf = (_p: unknown, args: MyWalletArgs, ctx: AuthContext) => {
  const team = ctx.principal && ownWalletTeam(ctx.principal, args.teamId);
  return typeof team === 'string' ? team : null;
};
const namesOwnTeam = rule('myWallet:namesOwnTeam', { cache: 'no_cache' })((
  _p,
  args: MyWalletArgs,
  ctx: AuthContext,
) => {
  if (!ctx.principal) return unauthenticated();
  const team = ownWalletTeam(ctx.principal, args.teamId);
  return typeof team === 'string' ? true : team;
});
const readsOwnWallet = and(
  namesOwnTeam,
  hasScopeInTeam<unknown, MyWalletArgs>('myWallet', 'wallet:read', ownTeamOf),
);

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
    myWallet: readsOwnWallet,
    hold: isHoldService,
    holdByKey: isHoldService,
  },
  Mutation: {
    grantCredits: isOrgAdmin,
    refund: isOrgAdmin,
    authorizeHold: isHoldService,
    captureHold: isHoldService,
    spendFromHolds: isHoldService,
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
  HoldSpend: isAuthenticated,
  ModelUsage: isAuthenticated,
  Model: isAuthenticated,
});
