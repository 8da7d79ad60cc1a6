import type Stripe from 'stripe';
import type { Db } from '../../../../lib/db/index.js';
import type { Logger } from '../../../../lib/logging.js';
import type { AuditClient } from '../../clients/audit-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { BillingSettings } from '../../config.js';
import type { AutoRechargeStore } from '../../store/auto-recharge-store.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type { RechargeStore } from '../../store/recharge-store.js';
import type { Prices } from '../prices.js';
import type { RechargeMetrics } from './recharge-metrics.js';

/**
 * What auto-recharge is built from. The shared billing core's parts (customers, the grant of a
 * paid purchase, purchase transitions) are named by what auto-recharge uses of them.
 */
export interface AutoRechargeDeps {
  db: Db;
  stripe: Stripe;
  /** True for the local test-mode provider: no real money moves. */
  testMode: boolean;
  wallet: WalletClient;
  audit: AuditClient;
  prices: Prices;
  purchases: PurchaseStore;
  settingsStore: AutoRechargeStore;
  recharges: RechargeStore;
  customers: {
    customerFor(teamId: string): Promise<string>;
    teamOf(customerId: string): Promise<string | null>;
  };
  grantPurchase(input: {
    purchase: PurchaseRow;
    paymentId: string;
    paidAmountMinor: number;
    currency: string;
    requestId: string;
  }): Promise<{ purchase: PurchaseRow; marked: boolean }>;
  transitions: {
    markProcessing(purchaseId: string, paymentId: string): Promise<unknown>;
    markFailed(purchaseId: string, paymentId: string | null): Promise<unknown>;
  };
  settings: BillingSettings;
  metrics: RechargeMetrics;
  logger: Logger;
}
