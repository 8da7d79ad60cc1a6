import type { StatementRow } from './monthly-statement.js';

const HEADER = ['line', 'id', 'credits', 'amount_minor', 'currency', 'calls', 'at'];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe; numbers
 * are written by us and never need it.
 */
export function csvField(value: string | number | bigint | null, text = true): string {
  if (value === null) return '';
  let field = String(value);
  if (text && /^[=+\-@\t\r]/.test(field)) field = `'${field}`;
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

const line = (fields: Array<string | number | bigint | null>, texts: boolean[]) =>
  fields.map((f, i) => csvField(f, texts[i] ?? true)).join(',');

/**
 * A statement as CSV: one line per figure (credits in µcr), then one per purchase and one per
 * model. Lines end with CRLF, as RFC 4180 has them.
 */
export function statementCsv(s: StatementRow): string {
  const figure = (name: string, credits: bigint) =>
    line(['figure', name, credits, null, null, null, null], [true, true, false]);
  const lines = [
    HEADER.join(','),
    line(['team', s.teamId, null, null, null, null, null], [true, true]),
    line(['month', s.month, null, null, null, null, s.from.toISOString()], [true, true]),
    figure('opening_balance', s.openingBalance),
    figure('opening_owed', s.openingOwed),
    figure('purchased_credits', s.purchasedCredits),
    figure('granted_credits', s.grantedCredits),
    figure('usage_credits', s.usageCredits),
    figure('refunded_usage_credits', s.refundedUsageCredits),
    figure('clawed_back_credits', s.clawedBackCredits),
    figure('closing_balance', s.closingBalance),
    figure('owed_at_close', s.owedAtClose),
    ...s.purchases.map((p) =>
      line(
        [
          'purchase',
          p.id,
          p.grantedCredits,
          p.paidAmountMinor,
          p.currency,
          null,
          p.paidAt?.toISOString() ?? null,
        ],
        [true, true, false, false, true, false, true],
      ),
    ),
    ...s.usageByModel.map((u) =>
      line(['model', u.modelId, u.credits, null, null, u.calls, null], [true, true, false]),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
