import {
  allow,
  createPermissions,
  hasScopeInTeam,
  isAuthenticated,
  isOrgAdmin,
} from '../../lib/auth/shield-rules.js';

// Every rule about a team reads the team straight off the parent or the arguments.
const readsTeam = hasScopeInTeam<{ id: string }>('Team.id', 'wallet:read', (team) => team.id);
const readsPurchase = hasScopeInTeam<{ teamId: string }>(
  'Purchase.teamId',
  'wallet:read',
  (purchase) => purchase.teamId,
);
const adminsTeamArg = hasScopeInTeam<unknown, { teamId: string }>(
  'args.teamId',
  'wallet:admin',
  (_p, args) => args.teamId,
);

/**
 * A team's wallet admins buy credits and set auto-recharge for their own team; its readers see
 * its purchases, auto-recharge and statements; only organization admins refund, reconcile and
 * read the provider's events. What is not named is denied.
 */
export const billingPermissions = createPermissions({
  Query: {
    creditPrices: isAuthenticated,
    purchase: isAuthenticated,
    reconciliationRuns: isOrgAdmin,
    paymentEvents: isOrgAdmin,
  },
  Mutation: {
    createCheckout: hasScopeInTeam<unknown, { input: { teamId: string } }>(
      'args.input.teamId',
      'wallet:admin',
      (_p, args) => args.input?.teamId,
    ),
    createAutoRechargeSetup: adminsTeamArg,
    setAutoRecharge: adminsTeamArg,
    refundPurchase: isOrgAdmin,
    runReconciliation: isOrgAdmin,
  },
  Team: {
    id: isAuthenticated,
    purchases: readsTeam,
    autoRecharge: readsTeam,
    statement: readsTeam,
  },
  Purchase: readsPurchase,
  PurchaseConnection: isAuthenticated,
  PurchaseEdge: isAuthenticated,
  PageInfo: allow,
  CreditPrices: isAuthenticated,
  CreditPack: isAuthenticated,
  Checkout: isAuthenticated,
  Refund: isAuthenticated,
  Dispute: isAuthenticated,
  AutoRecharge: isAuthenticated,
  Statement: isAuthenticated,
  StatementModelUsage: isAuthenticated,
  ReconciliationRun: isOrgAdmin,
  ReconciliationFinding: isOrgAdmin,
  PaymentEvent: isOrgAdmin,
  PaymentEventConnection: isOrgAdmin,
  PaymentEventEdge: isOrgAdmin,
});
