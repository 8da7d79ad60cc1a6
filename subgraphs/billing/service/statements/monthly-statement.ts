import { badUserInput } from '../../../../lib/errors.js';
import type { WalletReads } from '../../clients/wallet-reads.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { StatementReads } from '../../store/statement-reads.js';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A team's statement of one month (the schema's `Statement`), credits in µcr. */
export interface StatementRow {
  teamId: string;
  month: string;
  from: Date;
  /** The month's end, or the moment it was read for the current month. */
  to: Date;
  openingBalance: bigint;
  openingOwed: bigint;
  purchases: PurchaseRow[];
  purchasedCredits: bigint;
  grantedCredits: bigint;
  usageCredits: bigint;
  usageByModel: Array<{ modelId: string; calls: number; credits: bigint }>;
  refundedUsageCredits: bigint;
  clawedBackCredits: bigint;
  closingBalance: bigint;
  owedAtClose: bigint;
}

/** The UTC window of `month` (YYYY-MM), cut at `now`; BAD_USER_INPUT for a bad or future month. */
export function monthWindow(month: string, now: Date): { from: Date; to: Date } {
  const match = MONTH.exec(month);
  if (!match) {
    throw badUserInput('month must be YYYY-MM, e.g. 2026-01.', { argument: 'month' });
  }
  const [year, index] = [Number(match[1]), Number(match[2]) - 1];
  const from = new Date(Date.UTC(year, index, 1));
  if (year < 2000 || from > now) {
    throw badUserInput('month must be a month from 2000 on, not in the future.', {
      argument: 'month',
    });
  }
  const end = new Date(Date.UTC(year, index + 1, 1));
  return { from, to: end < now ? end : now };
}

/**
 * Whether the figures add up: the closing balance less what is owed is the opening one less
 * what was owed, plus what came in, less what went out. Always true of the ledger's sums; a
 * statement that broke it would be a bug, so tests hold it to this.
 */
export function statementBalances(s: StatementRow): boolean {
  const incoming = s.purchasedCredits + s.grantedCredits + s.refundedUsageCredits;
  const outgoing = s.usageCredits + s.clawedBackCredits;
  return (
    s.closingBalance - s.owedAtClose === s.openingBalance - s.openingOwed + incoming - outgoing
  );
}

/**
 * Monthly statements: every credit figure comes from the wallet's ledger (`walletStatement` and
 * the month's GRANTs, split by whether they name a payment), the list of purchases from billing's
 * own rows. So the figures add up exactly, and a purchase granted twice shows in the credits.
 */
export function createMonthlyStatements(deps: {
  walletReads: WalletReads;
  reads: StatementReads;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async statementOf(teamId: string, month: string, requestId: string): Promise<StatementRow> {
      const { from, to } = monthWindow(month, now());
      const [figures, grants, purchases] = await Promise.all([
        deps.walletReads.statement(teamId, from, to, requestId),
        deps.walletReads.grantsBetween(teamId, from, to, requestId),
        deps.reads.paidBetween(teamId, from, to),
      ]);
      const purchasedCredits = grants
        .filter((g) => g.paymentId !== null)
        .reduce((sum, g) => sum + g.amount, 0n);
      return {
        teamId,
        month,
        from,
        to,
        openingBalance: figures.openingPosted,
        openingOwed: figures.openingOwed,
        purchases,
        purchasedCredits,
        grantedCredits: figures.granted - purchasedCredits,
        usageCredits: figures.charged,
        usageByModel: figures.usageByModel,
        refundedUsageCredits: figures.refunded,
        clawedBackCredits: figures.debited,
        closingBalance: figures.closingPosted,
        owedAtClose: figures.closingOwed,
      };
    },
  };
}

export type MonthlyStatements = ReturnType<typeof createMonthlyStatements>;
