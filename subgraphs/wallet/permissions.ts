import { and, rule } from 'graphql-shield';
import {
  hasScope,
  hasServiceScope as principalHasServiceScope,
  type Principal,
} from '../../lib/auth/principal.js';
import {
  allow,
  createPermissions,
  hasScopeInTeam,
  hasServiceScope,
  isAuthenticated,
  isOrgAdmin,
  type AuthContext,
} from '../../lib/auth/shield-rules.js';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import type { HoldPurpose } from './generated/resolvers-types.js';
import { holdAccess } from './service/hold-access.js';
import { ownWalletTeam } from './service/own-wallet.js';

// A wallet's id is its team's id, so every rule reads the team straight off the parent or args.
const readsTeamWallet = hasScopeInTeam<{ id: string }>('Team.id', 'wallet:read', (team) => team.id);
const isHoldService = hasServiceScope('wallet:hold');
const isFundService = hasServiceScope('wallet:fund');

/*
 * Any wallet is readable by the billing service (wallet:fund): it reads balances and suspensions
 * of the wallets it funds. One rule, checked in memory: Wallet's rule wraps every field of every
 * wallet of an `_entities` batch, so it must stay cheap (DESIGN.md §7).
 */
const mayReadWallet = (principal: Principal, walletId: string | null | undefined) =>
  (walletId && hasScope(principal, 'wallet:read', walletId)) ||
  principalHasServiceScope(principal, 'wallet:fund');
const readsWalletOrFunds = <P, A>(name: string, walletIdOf: (parent: P, args: A) => string) =>
  rule(`readsWalletOrFunds:${name}`, { cache: 'no_cache' })(
    (parent: P, args: A, ctx: AuthContext) => {
      if (!ctx.principal) return unauthenticated();
      return mayReadWallet(ctx.principal, walletIdOf(parent, args))
        ? true
        : forbidden('This needs the wallet:read scope in the team it belongs to, or wallet:fund.');
    },
  );
const readsWallet = readsWalletOrFunds<{ id: string }, unknown>('Wallet', (wallet) => wallet.id);

// Reading holds: either service that moves them.
const isHoldOrFundService = rule('isHoldOrFundService', { cache: 'contextual' })((
  _p,
  _a,
  ctx: AuthContext,
) => {
  if (!ctx.principal) return unauthenticated();
  return principalHasServiceScope(ctx.principal, 'wallet:hold') ||
    principalHasServiceScope(ctx.principal, 'wallet:fund')
    ? true
    : forbidden('Only platform services (wallet:hold or wallet:fund) may do this.');
});

// authorizeHold: a dispute hold is the billing service's, any other the inference service's.
type HoldArgs = { metadata?: { purpose?: HoldPurpose | null } | null };
const mayHoldFor = rule('authorizeHold:purpose', { cache: 'no_cache' })((
  _p,
  args: HoldArgs,
  ctx: AuthContext,
) => {
  if (!ctx.principal) return unauthenticated();
  return holdAccess(ctx.principal, args.metadata?.purpose);
});

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
 * Teams read their own wallet; admins refund; platform services (and admins) move holds, each its
 * own kind (hold-access.ts); the billing service (wallet:fund, and admins) grants, debits,
 * suspends, sets thresholds and reads crossings and statements; a team's wallet:admin sets its
 * budget. voidHold checks the hold's purpose in its resolver, once the hold is read.
 */
export const walletPermissions = createPermissions({
  Query: {
    wallet: readsWalletOrFunds<unknown, { id: string }>('args.id', (_p, args) => args.id),
    myWallet: readsOwnWallet,
    hold: isHoldOrFundService,
    holdByKey: isHoldOrFundService,
    grantsForPayments: isFundService,
    balanceCrossings: isFundService,
    walletStatement: readsWalletOrFunds<unknown, { walletId: string }>(
      'args.walletId',
      (_p, args) => args.walletId,
    ),
  },
  Mutation: {
    grantCredits: isFundService,
    grantCreditsBatch: isFundService,
    debitCredits: isFundService,
    setWalletSuspended: isFundService,
    setLowBalanceThreshold: isFundService,
    refund: isOrgAdmin,
    authorizeHold: mayHoldFor,
    captureHold: isHoldService,
    spendFromHolds: isHoldService,
    voidHold: isHoldOrFundService,
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
  Debit: isAuthenticated,
  BalanceCrossing: isAuthenticated,
  BalanceCrossingConnection: isAuthenticated,
  BalanceCrossingEdge: isAuthenticated,
  WalletStatement: isAuthenticated,
  ModelUsage: isAuthenticated,
  Model: isAuthenticated,
});
