import type { Db } from '../../../lib/db/index.js';
import type { Logger } from '../../../lib/logging.js';
import type { ServiceMetrics } from '../../../lib/metrics.js';
import type { AuditClient } from '../clients/audit-client.js';
import type { WalletClient } from '../clients/wallet-client.js';
import type { WalletReads } from '../clients/wallet-reads.js';
import type { BillingSettings } from '../config.js';
import { createAutoRechargeStore } from '../store/auto-recharge-store.js';
import { createCustomerStore } from '../store/customer-store.js';
import { createDisputeStore } from '../store/dispute-store.js';
import { createEventStore } from '../store/event-store.js';
import { createPurchaseStore } from '../store/purchase-store.js';
import { createPurchaseTransitions } from '../store/purchase-transitions.js';
import { createReconciliationStore } from '../store/reconciliation-store.js';
import { createRechargeStore } from '../store/recharge-store.js';
import { createStatementReads } from '../store/statement-reads.js';
import { createRefundStore } from '../store/refund-store.js';
import { createAutoRecharge } from './auto-recharge/auto-recharge.js';
import { createRechargeMetrics } from './auto-recharge/recharge-metrics.js';
import { createCheckoutService } from './checkout.js';
import { createDisputeEvents } from './disputes/dispute-events.js';
import { createCheckoutHandlers } from './events/checkout-handlers.js';
import { combineHandlers } from './events/event-handlers.js';
import { createEventIngestion } from './events/ingest-event.js';
import type { PaymentProvider } from './payment-provider.js';
import { createPrices } from './prices.js';
import { createGrantPurchase } from './grant-purchase.js';
import { createPaymentGrants } from './payment-grants.js';
import { createReconciliationSchedule } from './reconciliation/reconciliation-schedule.js';
import { createReconciliation } from './reconciliation/run-reconciliation.js';
import { createMonthlyStatements } from './statements/monthly-statement.js';
import { createTeamCustomers } from './team-customers.js';
import { createOwedSuspension } from './refunds/owed-suspension.js';
import { createProviderRefunds } from './refunds/provider-refunds.js';
import { createRefundPurchase } from './refunds/refund-purchase.js';
import { createRefundSettlement } from './refunds/refund-settlement.js';

/** What billing is built from: its store, the provider, and the services it calls. */
export interface BillingDeps {
  db: Db;
  provider: PaymentProvider;
  wallet: WalletClient;
  /** The wallet's reads for statements and reconciliation (walletStatement, grantsForPayments). */
  walletReads: WalletReads;
  audit: AuditClient;
  settings: BillingSettings;
  logger: Logger;
  metrics: ServiceMetrics;
  now?: () => Date;
}

/**
 * Billing's parts, wired once at boot: the price list, the stores' reads, each feature (checkout
 * and its grants, refunds and disputes, auto-recharge, statements, reconciliation) and the event
 * ingestion that hands every provider event to the features' handlers.
 */
export function createBilling(deps: BillingDeps) {
  const prices = createPrices(deps.settings.prices);
  const purchases = createPurchaseStore(deps.db);
  const events = createEventStore(deps.db);
  const transitions = createPurchaseTransitions(deps.db);
  const customers = createTeamCustomers({
    stripe: deps.provider.stripe,
    customers: createCustomerStore(deps.db),
  });
  const grantPurchase = createGrantPurchase({
    prices,
    grantForPayment: createPaymentGrants(deps.wallet),
    transitions,
    audit: deps.audit,
    logger: deps.logger,
  });
  const checkout = createCheckoutService({
    stripe: deps.provider.stripe,
    prices,
    purchases,
    transitions,
    customers,
    settings: deps.settings,
    testMode: deps.provider.testMode,
    returnUrl: deps.provider.returnUrl,
    now: deps.now ?? (() => new Date()),
  });

  // Refunds and disputes (decision 70).
  const refundStore = createRefundStore(deps.db);
  const disputeStore = createDisputeStore(deps.db);
  const suspension = createOwedSuspension({
    enabled: deps.settings.suspendOnOwed,
    wallet: deps.wallet,
    audit: deps.audit,
  });
  const settleRefund = createRefundSettlement({
    refunds: refundStore,
    wallet: deps.wallet,
    audit: deps.audit,
    suspension,
  });
  const refundMoney = {
    stripe: deps.provider.stripe,
    purchases,
    refunds: refundStore,
    settle: settleRefund,
  };
  const providerRefunds = createProviderRefunds(refundMoney);
  const disputeEvents = createDisputeEvents({
    stripe: deps.provider.stripe,
    purchases,
    disputes: disputeStore,
    wallet: deps.wallet,
    audit: deps.audit,
    suspension,
  });
  const autoRecharge = createAutoRecharge({
    db: deps.db,
    stripe: deps.provider.stripe,
    testMode: deps.provider.testMode,
    wallet: deps.wallet,
    audit: deps.audit,
    prices,
    purchases,
    settingsStore: createAutoRechargeStore(deps.db),
    recharges: createRechargeStore(deps.db),
    customers,
    grantPurchase,
    transitions,
    settings: deps.settings,
    metrics: createRechargeMetrics(deps.metrics),
    logger: deps.logger.child({ feature: 'auto-recharge' }),
  });

  const handlers = combineHandlers(
    createCheckoutHandlers({ purchases, transitions, grantPurchase }),
    providerRefunds.handlers,
    disputeEvents.handlers,
    autoRecharge.handlers,
  );

  const ingest = createEventIngestion({
    stripe: deps.provider.stripe,
    webhookSecret: deps.provider.webhookSecret,
    events,
    handlers,
    logger: deps.logger,
    metrics: deps.metrics,
  });

  const statements = createMonthlyStatements({
    walletReads: deps.walletReads,
    reads: createStatementReads(deps.db),
    now: deps.now,
  });
  const reconciliationRuns = createReconciliationStore(deps.db);
  const reconciliation = createReconciliation({
    stripe: deps.provider.stripe,
    prices,
    purchases,
    runs: reconciliationRuns,
    walletReads: deps.walletReads,
    grantPurchase,
    teamOfCustomer: (customerId) => customers.teamOf(customerId),
    audit: deps.audit,
    registry: deps.metrics.registry,
    logger: deps.logger,
    now: deps.now,
  });
  const reconciliationSchedule = createReconciliationSchedule({
    reconciliation,
    runs: reconciliationRuns,
    intervalMinutes: deps.settings.reconcileIntervalMinutes,
    windowHours: deps.settings.reconcileWindowHours,
    logger: deps.logger,
    now: deps.now,
  });

  return {
    prices,
    testMode: deps.provider.testMode,
    purchases,
    events,
    transitions,
    customers,
    grantPurchase,
    checkout,
    autoRecharge,
    ingest,
    statements,
    reconciliation,
    /** The public gateway's base URL (statements' CSV links). */
    publicUrl: deps.settings.publicUrl,
    refunds: {
      store: refundStore,
      refundPurchase: createRefundPurchase({
        ...refundMoney,
        audit: deps.audit,
        logger: deps.logger,
      }),
      sync: providerRefunds.sync,
    },
    disputes: { store: disputeStore, sync: disputeEvents.sync },
    /** Starts the background workers (recharges, reconciliation). */
    start() {
      autoRecharge.start();
      reconciliationSchedule.start();
    },
    /** Stops them; resolves once none is mid-step. */
    async stop() {
      await Promise.all([autoRecharge.stop(), reconciliationSchedule.stop()]);
    },
    /** Resolves once every audit event recorded so far is written (after the last request). */
    flush: () => deps.audit.flush(),
  };
}

export type Billing = ReturnType<typeof createBilling>;
