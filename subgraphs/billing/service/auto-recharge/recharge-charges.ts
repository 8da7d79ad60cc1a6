import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { createPurchaseStore } from '../../store/purchase-store.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { RechargeRow } from '../../store/recharge-store.js';
import type { AutoRechargeDeps } from './recharge-deps.js';

/** Crossings read per feed page, and pages per worker step. */
const CROSSINGS_PAGE = 100;
const PAGES_PER_STEP = 10;
/** Recharges charged per worker step. */
const CHARGES_PER_STEP = 20;
/** How long a claimed recharge is left to its worker before another may ask again. */
const CHARGE_CLAIM_MS = 60_000;
/** How long a charged recharge waits for its event before the worker asks the provider. */
const OUTCOME_WAIT_MS = 5 * 60_000;

/**
 * A refusal the same request would get again (a detached method, a bad parameter): a failure of
 * the attempt. 409 (the key's first request still running) and 429 are worth asking again.
 */
const refused = (status: number | undefined) =>
  status !== undefined && status >= 400 && status < 500 && status !== 409 && status !== 429;

/** The provider's idempotency key of one attempt: a retry after a crash replays the same one. */
export const attemptKey = (crossingId: string, attempt: number) =>
  `recharge:${crossingId}:${attempt}`;

/**
 * The steps of a recharge, each safe to repeat: a crossing becomes one recharge and one
 * AUTO_RECHARGE purchase; a due recharge becomes one off-session PaymentIntent per attempt; the
 * provider's answer (or event) ends it in a grant, a retry with backoff, or, after too many
 * failures in a row, auto-recharge turned off.
 */
export function createRechargeCharges(deps: AutoRechargeDeps) {
  const { db, recharges, settingsStore, logger, metrics } = deps;
  const maxFailures = deps.settings.rechargeMaxFailures;
  const delays = deps.settings.rechargeRetryDelaysMs;

  /**
   * Turns one crossing into a recharge when the team's auto-recharge is on; with `owner`, moves
   * the feed's cursor past it in the same transaction (only while `owner` holds the lease).
   */
  async function openRecharge(
    crossing: { id: string; walletId: string; cursor?: string },
    owner?: string,
  ) {
    const teamId = crossing.walletId;
    const settings = await settingsStore.byTeam(teamId);
    const amountMinor = settings?.amountMinor;
    const paymentMethodId = settings?.paymentMethodId;
    const on = settings?.enabled && paymentMethodId && amountMinor;
    const opened = await db.transaction(async (tx) => {
      let made = false;
      if (on) {
        const purchaseId = randomUUID();
        made = await recharges.open(
          { crossingId: crossing.id, teamId, purchaseId, amountMinor, paymentMethodId },
          tx,
        );
        if (made) {
          await createPurchaseStore(tx).insert({
            id: purchaseId,
            teamId,
            kind: 'AUTO_RECHARGE',
            status: 'OPEN',
            currency: deps.prices.currency,
            requestedAmountMinor: amountMinor,
            packId: null,
            idempotencyKey: `recharge:${crossing.id}`,
            requestHash: null,
            createdBy: 'service:billing',
          });
        }
      }
      // Another replica took the feed over: roll back, it reads this crossing again.
      if (owner && !(await recharges.advanceFeed(owner, crossing.cursor as string, tx))) {
        throw new Error('lost the crossings feed lease');
      }
      return made;
    });
    if (opened) metrics.count('STARTED');
    return opened;
  }

  /**
   * Counts one PaymentIntent's failure once (its API answer and its event alike), then retries
   * the recharge after a backoff, or ends it when auto-recharge is off or was just turned off.
   */
  async function recordFailure(
    purchaseId: string,
    paymentId: string | null,
    error: string,
    requestId: string,
  ): Promise<boolean> {
    const result = await db.transaction(async (tx) => {
      const row = await recharges.byPurchase(purchaseId, tx, true);
      if (!row || (row.status !== 'DUE' && row.status !== 'CHARGING')) return null;
      if (paymentId && row.failedPaymentIds.includes(paymentId)) return null;
      const team = await settingsStore.recordFailure(row.teamId, error, maxFailures, tx);
      const retry = team?.enabled ?? false;
      const delay = delays[Math.min(Math.max(row.attempts - 1, 0), delays.length - 1)] ?? 0;
      const retryAt = retry ? new Date(Date.now() + delay) : null;
      await recharges.failed({ purchaseId, paymentId, error, retryAt }, tx);
      return { row, team, retryAt };
    });
    if (!result) return false;
    const { row, team, retryAt } = result;
    metrics.count('FAILED');
    const disabled = team?.disabledByFailures === true && !team.enabled && !retryAt;
    if (!retryAt) await deps.transitions.markFailed(purchaseId, paymentId);
    if (disabled) metrics.count('DISABLED');
    logger.warn(
      { requestId, teamId: row.teamId, purchaseId, attempt: row.attempts, disabled },
      'auto-recharge attempt failed',
    );
    await deps.audit.record(
      {
        teamId: row.teamId,
        action: 'RECHARGE_FAILED',
        outcome: 'FAILED',
        targetType: 'Purchase',
        targetId: purchaseId,
        details: {
          crossingId: row.crossingId,
          attempt: row.attempts,
          error,
          paymentId,
          consecutiveFailures: team?.consecutiveFailures ?? null,
          nextAttemptAt: retryAt?.toISOString() ?? null,
        },
        requestId,
      },
      ...(disabled
        ? [
            {
              teamId: row.teamId,
              action: 'AUTO_RECHARGE_DISABLED',
              outcome: 'FAILED' as const,
              targetType: 'Team',
              targetId: row.teamId,
              details: { consecutiveFailures: team?.consecutiveFailures, lastError: error },
              requestId,
            },
          ]
        : []),
    );
    return true;
  }

  /** Charges one claimed recharge: an off-session PaymentIntent on the saved method. */
  async function charge(row: RechargeRow, requestId: string): Promise<void> {
    const team = await settingsStore.byTeam(row.teamId);
    if (!team?.enabled) {
      if (await recharges.finish(row.purchaseId, 'ABANDONED', null)) {
        await deps.transitions.markFailed(row.purchaseId, null);
      }
      return;
    }
    let intent: Stripe.PaymentIntent;
    try {
      intent = await deps.stripe.paymentIntents.create(
        {
          amount: row.amountMinor,
          currency: deps.prices.currency,
          customer: await deps.customers.customerFor(row.teamId),
          payment_method: row.paymentMethodId,
          confirm: true,
          off_session: true,
          description: 'Auto-recharge',
          metadata: { purchaseId: row.purchaseId, teamId: row.teamId },
        },
        { idempotencyKey: attemptKey(row.crossingId, row.attempts) },
      );
    } catch (error) {
      const e = error as {
        type?: string;
        statusCode?: number;
        message?: string;
        payment_intent?: { id?: string };
      };
      if (e.type === 'StripeCardError' || refused(e.statusCode)) {
        await recordFailure(
          row.purchaseId,
          e.payment_intent?.id ?? null,
          e.message ?? 'declined',
          requestId,
        );
        return;
      }
      // The provider down or busy: the claim runs out and the same attempt is asked again.
      logger.warn(
        { err: error, requestId, purchaseId: row.purchaseId },
        'recharge charge not answered',
      );
      return;
    }
    if (intent.status === 'succeeded' || intent.status === 'processing') {
      await recharges.charged(row.crossingId, row.attempts, intent.id);
      await deps.transitions.markProcessing(row.purchaseId, intent.id);
      return;
    }
    const why =
      intent.last_payment_error?.message ??
      `the payment needs the customer (${intent.status}); it cannot be made off-session`;
    await recordFailure(row.purchaseId, intent.id, why, requestId);
  }

  /**
   * A recharge's PaymentIntent succeeded: grants what the provider received (once, whoever gets
   * there first) and ends the recharge and the team's run of failures.
   */
  async function recordSuccess(
    purchase: PurchaseRow,
    intent: Stripe.PaymentIntent,
    requestId: string,
  ): Promise<void> {
    await deps.grantPurchase({
      purchase,
      paymentId: intent.id,
      paidAmountMinor: intent.amount_received,
      currency: intent.currency,
      requestId,
    });
    const ended = await db.transaction(async (tx) => {
      const finished = await recharges.finish(purchase.id, 'SUCCEEDED', intent.id, tx);
      if (finished) await settingsStore.recordSuccess(purchase.teamId, tx);
      return finished;
    });
    if (ended) metrics.count('SUCCEEDED');
  }

  return {
    recordFailure,
    recordSuccess,

    /**
     * Turned on (again) while the balance is already below the threshold: no crossing will come
     * until the balance rises, so the recharge starts now, as if one had (`key` names it, so
     * the same switch-on makes one; the one-unfinished-per-team index keeps it to one anyway).
     */
    async rechargeIfBelow(teamId: string, threshold: bigint, key: string, requestId: string) {
      const available = await deps.wallet.availableBalance(teamId, requestId);
      if (available >= threshold) return false;
      return openRecharge({ id: `enabled:${teamId}:${key}`, walletId: teamId });
    },

    /** Reads the crossings feed (while this replica holds its lease) into recharges. */
    async readCrossings(owner: string, requestId: string): Promise<number> {
      const lease = await recharges.leaseFeed(
        owner,
        Math.max(30_000, deps.settings.rechargePollMs * 5),
      );
      if (!lease) return 0;
      let cursor = lease.cursor;
      let opened = 0;
      for (let page = 0; page < PAGES_PER_STEP; page += 1) {
        const { crossings, hasNextPage } = await deps.wallet.balanceCrossings(
          cursor,
          CROSSINGS_PAGE,
          requestId,
        );
        for (const crossing of crossings) {
          if (await openRecharge(crossing, owner)) opened += 1;
          cursor = crossing.cursor;
        }
        if (!hasNextPage || crossings.length === 0) break;
      }
      return opened;
    },

    /**
     * Settles recharges whose PaymentIntent's event never came: reads the intent and does what
     * its event would have done (both paths are idempotent, so a late event changes nothing).
     */
    async settleStale(requestId: string): Promise<number> {
      const stale = await recharges.staleCharged(OUTCOME_WAIT_MS, CHARGES_PER_STEP);
      for (const row of stale) {
        await recharges.touch(row.crossingId);
        const intent = await deps.stripe.paymentIntents.retrieve(row.paymentId as string);
        if (intent.status === 'succeeded') {
          const [purchase] = await deps.purchases.byIds([row.purchaseId]);
          if (purchase) await recordSuccess(purchase, intent, requestId);
        } else if (intent.status === 'requires_payment_method' || intent.status === 'canceled') {
          const why = intent.last_payment_error?.message ?? `the payment ended ${intent.status}`;
          await recordFailure(row.purchaseId, intent.id, why, requestId);
        }
      }
      return stale.length;
    },

    /** Charges the recharges that are due (first attempts and retries). */
    async chargeDue(requestId: string): Promise<number> {
      const claimed = await recharges.claimDue(CHARGES_PER_STEP, CHARGE_CLAIM_MS);
      for (const row of claimed) await charge(row, requestId);
      return claimed.length;
    },
  };
}

export type RechargeCharges = ReturnType<typeof createRechargeCharges>;
