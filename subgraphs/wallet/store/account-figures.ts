/*
 * SQL expressions over a wallet's row in `accounts`, shared by the statements that read or check
 * them, so that "available" and "this month's spend" mean the same thing in every statement.
 * Months are UTC calendar months by the ledger's clock.
 */

/** What new holds may take: posted credits minus posted and pending debits minus what is owed. */
export const AVAILABLE = 'credits_posted - debits_posted - debits_pending - owed';

/**
 * What open holds for calls reserve: what the monthly budget counts as spoken for. Dispute holds
 * (`dispute_held`) make credits unavailable but are never usage, so the budget leaves them out.
 */
export const CALL_HELD = '(debits_pending - dispute_held)';

/** The current month's date, the key of `spend_month`. */
export const THIS_MONTH = "date_trunc('month', ledger_now())::date";

/** What the wallet was charged this month so far (0 when the stored month is an earlier one). */
export const MONTH_TO_DATE = `(CASE WHEN spend_month = ${THIS_MONTH} THEN month_spend ELSE 0 END)`;

/** SET items that add `amount` (an SQL expression) to this month's spend, starting a new month. */
export const addToMonthSpend = (amount: string, alias = '') =>
  `month_spend = CASE WHEN ${alias}spend_month = ${THIS_MONTH}
                      THEN ${alias}month_spend + ${amount} ELSE ${amount} END,
    spend_month = ${THIS_MONTH}`;

/** What the monthly budget leaves for new holds for calls (null without a budget). */
export const BUDGET_ROOM = `budget_limit - ${MONTH_TO_DATE} - ${CALL_HELD}`;
