import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type Stripe from 'stripe';
import { badUserInput } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/logging.js';
import type { AuditClient, BillingAuditEvent } from '../../clients/audit-client.js';
import { GRANTS_FOR_PAYMENTS_LIMIT, type WalletReads } from '../../clients/wallet-reads.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { PurchaseStore } from '../../store/purchase-store.js';
import type {
  ReconciliationFindingRow,
  ReconciliationRunRow,
  ReconciliationStore,
} from '../../store/reconciliation-store.js';
import type { Prices } from '../prices.js';
import { providerFailure } from '../provider-errors.js';
import { comparePayment, type ProviderPayment } from './compare-payment.js';

/** The shared core's grant of a paid purchase (service/grant-purchase.ts): idempotent by payment. */
export type GrantPurchase = (input: {
  purchase: PurchaseRow;
  paymentId: string;
  paidAmountMinor: number;
  currency: string;
  requestId: string;
}) => Promise<{ purchase: PurchaseRow; marked: boolean }>;

export interface ReconciliationDeps {
  stripe: Stripe;
  prices: Prices;
  purchases: PurchaseStore;
  runs: ReconciliationStore;
  walletReads: WalletReads;
  /** Grants a paid purchase (billing.grantPurchase). */
  grantPurchase: GrantPurchase;
  /** The team of a provider customer (billing.customers.teamOf). */
  teamOfCustomer: (customerId: string) => Promise<string | null>;
  audit: AuditClient;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

const DEFAULT_WINDOW_MS = 7 * 24 * 3600 * 1000;

function findingsCounter(registry: Registry) {
  const name = 'modelgraph_billing_reconciliation_findings_total';
  return (
    (registry.getSingleMetric(name) as Counter<'kind' | 'repaired'> | undefined) ??
    new Counter({
      name,
      help: 'Mismatches reconciliation found between the provider and the ledger, by kind and whether it repaired them.',
      labelNames: ['kind', 'repaired'],
      registers: [registry],
    })
  );
}

const auditEvent = (
  runId: string,
  f: ReconciliationFindingRow,
  requestId: string,
): BillingAuditEvent => ({
  teamId: f.teamId,
  action: 'RECONCILIATION_MISMATCH',
  outcome: f.repaired ? 'SUCCEEDED' : 'FAILED',
  targetType: 'Payment',
  targetId: f.paymentId,
  details: {
    runId,
    kind: f.kind,
    purchaseId: f.purchaseId,
    expectedCredits: f.expectedCredits.toString(),
    actualCredits: f.actualCredits.toString(),
    repaired: f.repaired,
  },
  requestId,
});

function toProviderPayment(pi: Stripe.PaymentIntent): ProviderPayment {
  const charge = typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
  const customer = typeof pi.customer === 'string' ? pi.customer : (pi.customer?.id ?? null);
  return {
    id: pi.id,
    amountMinor: pi.amount_received || pi.amount,
    currency: pi.currency,
    refundedMinor: charge?.amount_refunded ?? 0,
    customerId: customer,
    metadata: (pi.metadata ?? {}) as Record<string, string>,
  };
}

/**
 * Reconciliation: compares the provider's succeeded payments since an instant with billing's
 * purchases and the ledger's grants, records every mismatch in a run (store, metric, audit event)
 * and repairs only the safe kind, a payment never granted, through the same idempotent grant as
 * the webhook (keyed by the payment's id): a second run, or a late webhook, grants nothing twice.
 */
export function createReconciliation(deps: ReconciliationDeps) {
  const now = deps.now ?? (() => new Date());
  const counter = findingsCounter(deps.registry);

  async function* succeededPayments(since: Date) {
    // The SDK pages on with starting_after while has_more; every page keeps the expansion.
    const list = deps.stripe.paymentIntents.list({
      created: { gte: Math.floor(since.getTime() / 1000) },
      limit: 100,
      expand: ['data.latest_charge'],
    });
    for await (const pi of list) {
      if (pi.status === 'succeeded') yield toProviderPayment(pi);
    }
  }

  async function teamOf(payment: ProviderPayment, purchase: PurchaseRow | null) {
    if (purchase) return purchase.teamId;
    const fromMetadata = payment.metadata.teamId;
    if (fromMetadata && isUuid(fromMetadata)) return fromMetadata;
    return payment.customerId ? deps.teamOfCustomer(payment.customerId) : null;
  }

  /** The purchase a recovered payment is granted under: found, or written once (kind RECOVERED). */
  async function recoveredPurchase(payment: ProviderPayment, teamId: string, startedBy: string) {
    const key = `recovered:${payment.id}`;
    try {
      const inserted = await deps.purchases.insert({
        id: randomUUID(),
        teamId,
        kind: 'RECOVERED',
        status: 'PROCESSING',
        currency: payment.currency,
        requestedAmountMinor: payment.amountMinor,
        packId: null,
        idempotencyKey: key,
        requestHash: null,
        paymentId: payment.id,
        createdBy: startedBy,
      });
      if (inserted) return inserted;
    } catch (error) {
      // A webhook wrote a purchase for this payment meanwhile (payment_id is unique): use it.
      const [existing] = await deps.purchases.byPaymentIds([payment.id]);
      if (existing) return existing;
      throw error;
    }
    return deps.purchases.byKey(teamId, key);
  }

  async function repairUngranted(
    payment: ProviderPayment,
    purchase: PurchaseRow | null,
    startedBy: string,
    requestId: string,
  ): Promise<{
    repaired: boolean;
    teamId: string | null;
    purchaseId: string | null;
    note: string;
  }> {
    const teamId = await teamOf(payment, purchase);
    if (!teamId) {
      return { repaired: false, teamId, purchaseId: null, note: 'No team: not repaired.' };
    }
    if (payment.currency !== deps.prices.currency) {
      return {
        repaired: false,
        teamId,
        purchaseId: purchase?.id ?? null,
        note: `Paid in ${payment.currency}, priced in ${deps.prices.currency}: not repaired.`,
      };
    }
    try {
      const target = purchase ?? (await recoveredPurchase(payment, teamId, startedBy));
      if (!target) throw new Error('the recovered purchase could not be read back');
      const { purchase: granted } = await deps.grantPurchase({
        purchase: target,
        paymentId: payment.id,
        paidAmountMinor: payment.amountMinor,
        currency: payment.currency,
        requestId,
      });
      return { repaired: true, teamId, purchaseId: granted.id, note: 'Granted.' };
    } catch (error) {
      deps.logger.warn({ err: error, paymentId: payment.id }, 'reconciliation could not grant');
      return {
        repaired: false,
        teamId,
        purchaseId: purchase?.id ?? null,
        note: `Repair failed: ${(error as Error).message}`,
      };
    }
  }

  /** Compares one page of payments (at most the wallet's grantsForPayments limit). */
  async function compareBatch(batch: ProviderPayment[], startedBy: string, requestId: string) {
    const ids = batch.map((p) => p.id);
    const metadataIds = batch.map((p) => p.metadata.purchaseId).filter((id) => id && isUuid(id));
    const [grants, byPayment, byMetadata] = await Promise.all([
      deps.walletReads.grantsForPayments(ids, requestId),
      deps.purchases.byPaymentIds(ids),
      metadataIds.length ? deps.purchases.byIds(metadataIds as string[]) : Promise.resolve([]),
    ]);
    const findings: ReconciliationFindingRow[] = [];
    for (const payment of batch) {
      const purchase =
        byPayment.find((p) => p.paymentId === payment.id) ??
        byMetadata.find((p) => p.id === payment.metadata.purchaseId) ??
        null;
      const own = grants.filter((g) => g.paymentId === payment.id);
      for (const mismatch of comparePayment(payment, own, purchase, deps.prices.creditsFor)) {
        let teamId: string | null = purchase?.teamId ?? own[0]?.walletId ?? null;
        let purchaseId: string | null = purchase?.id ?? own[0]?.purchaseId ?? null;
        let repaired = false;
        let detail = mismatch.detail;
        if (mismatch.kind === 'PAID_NOT_GRANTED') {
          const repair = await repairUngranted(payment, purchase, startedBy, requestId);
          ({ repaired, teamId, purchaseId } = repair);
          detail = `${detail} ${repair.note}`;
        }
        findings.push({ ...mismatch, paymentId: payment.id, teamId, purchaseId, repaired, detail });
      }
    }
    return findings;
  }

  return {
    /** One run over the payments created since `since` (default: 7 days ago). */
    async run(input: {
      since?: Date | null;
      startedBy: string;
      requestId: string;
    }): Promise<ReconciliationRunRow> {
      const at = now();
      const since = input.since ?? new Date(at.getTime() - DEFAULT_WINDOW_MS);
      if (Number.isNaN(since.getTime()) || since > at) {
        throw badUserInput('since must be an instant in the past.', { argument: 'since' });
      }
      const runId = randomUUID();
      await deps.runs.startRun({ id: runId, since, startedBy: input.startedBy });
      const findings: ReconciliationFindingRow[] = [];
      let checked = 0;
      let batch: ProviderPayment[] = [];
      const flush = async () => {
        findings.push(...(await compareBatch(batch, input.startedBy, input.requestId)));
        checked += batch.length;
        batch = [];
      };
      /** Stores the run's end and reports its findings (metric, audit log). */
      const finish = async () => {
        const run = await deps.runs.finishRun(runId, checked, findings);
        for (const f of findings) counter.inc({ kind: f.kind, repaired: String(f.repaired) });
        await deps.audit.record(...findings.map((f) => auditEvent(runId, f, input.requestId)));
        return run;
      };
      try {
        for await (const payment of succeededPayments(since)) {
          batch.push(payment);
          if (batch.length === GRANTS_FOR_PAYMENTS_LIMIT) await flush();
        }
        if (batch.length) await flush();
      } catch (error) {
        // The run ends with what it compared (its repairs stand); the caller may run it again.
        await finish();
        deps.logger.warn(
          { err: error, runId, paymentsChecked: checked },
          'reconciliation broke off',
        );
        throw providerFailure(error);
      }
      const run = await finish();
      deps.logger.info(
        { runId, paymentsChecked: checked, findings: findings.length },
        'reconciliation run finished',
      );
      return run;
    },
    latest: (first: number) => deps.runs.latest(first),
  };
}

export type Reconciliation = ReturnType<typeof createReconciliation>;
