import { randomUUID } from 'node:crypto';
import { badUserInput, codedError, ErrorCode } from '../../../../lib/errors.js';
import type { AutoRechargeRow } from '../../store/auto-recharge-store.js';
import { callProvider } from '../provider-errors.js';
import type { RechargeRow } from '../../store/recharge-store.js';
import type { RechargeCharges } from './recharge-charges.js';
import type { AutoRechargeDeps } from './recharge-deps.js';

/** The session metadata that marks a setup checkout as auto-recharge's. */
export const SETUP_PURPOSE = 'auto-recharge-setup';

export type AutoRechargeStatus =
  'OFF' | 'NEEDS_PAYMENT_METHOD' | 'READY' | 'RECHARGING' | 'FAILING' | 'DISABLED';

/** A team's auto-recharge as the schema shows it. */
export interface AutoRechargeView {
  enabled: boolean;
  status: AutoRechargeStatus;
  thresholdCredits: bigint;
  amountMinor: number;
  credits: bigint;
  hasPaymentMethod: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  lastRechargeAt: Date | null;
}

/** Where a team's auto-recharge is, from its settings and its unfinished recharge. */
export function statusOf(row: AutoRechargeRow, open: RechargeRow | null): AutoRechargeStatus {
  if (!row.enabled) return row.disabledByFailures ? 'DISABLED' : 'OFF';
  if (!row.paymentMethodId) return 'NEEDS_PAYMENT_METHOD';
  if (open?.status === 'DUE' && open.attempts > 0) return 'FAILING';
  if (open) return 'RECHARGING';
  return row.consecutiveFailures > 0 ? 'FAILING' : 'READY';
}

export function createRechargeSettings(
  deps: AutoRechargeDeps,
  charges: Pick<RechargeCharges, 'rechargeIfBelow'>,
) {
  const { prices, settingsStore, recharges } = deps;

  function toView(row: AutoRechargeRow, open: RechargeRow | null): AutoRechargeView {
    const amountMinor = row.amountMinor ?? 0;
    const status = statusOf(row, open);
    return {
      enabled: row.enabled,
      status,
      thresholdCredits: row.thresholdCredits ?? 0n,
      amountMinor,
      credits: prices.creditsFor(amountMinor),
      hasPaymentMethod: row.paymentMethodId !== null,
      consecutiveFailures: row.consecutiveFailures,
      lastError: row.lastError,
      nextAttemptAt: status === 'FAILING' && open ? open.nextAttemptAt : null,
      lastRechargeAt: row.lastRechargeAt,
    };
  }

  return {
    /** Teams' auto-recharge views by team id (absent: never set). */
    async views(teamIds: readonly string[]): Promise<Map<string, AutoRechargeView>> {
      // Recharges first: a failure commits both tables at once, so settings read after a
      // recharge seen failing show that failure too (read together, they could disagree).
      const open = await recharges.openOfTeams(teamIds);
      const rows = await settingsStore.byTeams(teamIds);
      const openByTeam = new Map(open.map((r) => [r.teamId, r]));
      return new Map(
        rows.map((row) => [row.teamId, toView(row, openByTeam.get(row.teamId) ?? null)]),
      );
    },

    /**
     * A checkout in setup mode for the team's customer: nothing is charged; once completed, its
     * SetupIntent's payment method becomes the team's (the setup-completed handler).
     */
    async createSetup(
      teamId: string,
      urls: { successUrl?: string | null; cancelUrl?: string | null },
      requestId: string,
    ) {
      const customer = await callProvider(() => deps.customers.customerFor(teamId));
      const base = deps.settings.publicUrl.replace(/\/$/, '');
      const metadata = { teamId, purpose: SETUP_PURPOSE };
      const session = await callProvider(() =>
        deps.stripe.checkout.sessions.create({
          mode: 'setup',
          customer,
          currency: prices.currency,
          success_url: urls.successUrl ?? `${base}/console/?auto-recharge=saved`,
          cancel_url: urls.cancelUrl ?? `${base}/console/?auto-recharge=cancelled`,
          expires_at: Math.floor(Date.now() / 1000) + deps.settings.checkoutExpiresMinutes * 60,
          metadata,
          setup_intent_data: { metadata },
        }),
      );
      deps.logger.info({ requestId, teamId, sessionId: session.id }, 'auto-recharge setup started');
      return {
        id: session.id,
        url: session.url as string,
        purchase: null,
        expiresAt: new Date(session.expires_at * 1000),
        testMode: deps.testMode,
      };
    },

    /**
     * Saves the settings: the amount within the price limits, a threshold above zero, a saved
     * method to turn it on (PAYMENT_METHOD_REQUIRED). The wallet is then told the threshold (or
     * that there is none), so it records the crossings the worker acts on. Turned on while the
     * balance is already below the threshold, a recharge starts at once (no crossing would come).
     */
    async set(
      teamId: string,
      input: { enabled: boolean; thresholdCredits: bigint; amountMinor: number },
      requestId: string,
    ): Promise<AutoRechargeView> {
      prices.checkAmount(input.amountMinor, 'amountMinor');
      if (input.thresholdCredits <= 0n) {
        throw badUserInput('thresholdCredits must be greater than zero.', {
          argument: 'thresholdCredits',
        });
      }
      const before = await settingsStore.byTeam(teamId);
      const row = await settingsStore.saveSettings({ teamId, ...input });
      if (!row) {
        throw codedError(
          ErrorCode.PAYMENT_METHOD_REQUIRED,
          'Save a payment method first (createAutoRechargeSetup), then turn auto-recharge on.',
          { teamId },
        );
      }
      await deps.wallet.setLowBalanceThreshold(
        teamId,
        row.enabled ? input.thresholdCredits : null,
        requestId,
      );
      // Turned on below the threshold: no crossing is coming, so recharge now.
      if (row.enabled && !before?.enabled) {
        await charges.rechargeIfBelow(teamId, input.thresholdCredits, randomUUID(), requestId);
      }
      const [open] = await recharges.openOfTeams([teamId]);
      return toView(row, open ?? null);
    },
  };
}

export type RechargeSettings = ReturnType<typeof createRechargeSettings>;
