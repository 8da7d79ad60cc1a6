import { GraphQLError } from 'graphql';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import { monthWindow, statementBalances, type StatementRow } from './monthly-statement.js';
import { csvField, statementCsv } from './statement-csv.js';

const now = new Date('2026-03-15T10:00:00Z');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as GraphQLError).extensions?.code;
  }
  return undefined;
};

const statement: StatementRow = {
  teamId: '00000000-0000-4000-8000-000000000001',
  month: '2026-02',
  from: new Date('2026-02-01T00:00:00Z'),
  to: new Date('2026-03-01T00:00:00Z'),
  openingBalance: 1_000n,
  openingOwed: 50n,
  purchases: [
    {
      id: 'p1',
      grantedCredits: 5_000n,
      paidAmountMinor: 50,
      currency: 'usd',
      paidAt: new Date('2026-02-02T00:00:00Z'),
    } as PurchaseRow,
  ],
  purchasedCredits: 5_000n,
  grantedCredits: 200n,
  usageCredits: 3_000n,
  usageByModel: [{ modelId: '=evil,"model"', calls: 2, credits: 3_000n }],
  refundedUsageCredits: 100n,
  clawedBackCredits: 400n,
  closingBalance: 2_850n,
  owedAtClose: 0n,
};

describe('monthly statements', () => {
  it('windows a month in UTC, cut at now for the current one', () => {
    expect(monthWindow('2026-02', now)).toEqual({
      from: new Date('2026-02-01T00:00:00Z'),
      to: new Date('2026-03-01T00:00:00Z'),
    });
    expect(monthWindow('2026-03', now)).toEqual({
      from: new Date('2026-03-01T00:00:00Z'),
      to: now,
    });
    expect(monthWindow('2025-12', now).to).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('refuses a malformed or future month with BAD_USER_INPUT', () => {
    for (const month of ['2026-13', '2026-1', '26-01', '2026-04', 'x', '1999-12']) {
      expect(codeOf(() => monthWindow(month, now))).toBe('BAD_USER_INPUT');
    }
  });

  it('balances: closing less owed is opening less owed, plus in, less out', () => {
    expect(statementBalances(statement)).toBe(true);
    expect(statementBalances({ ...statement, closingBalance: 2_851n })).toBe(false);
  });

  it('writes CSV with one line per figure, purchase and model, escaped', () => {
    const lines = statementCsv(statement).split('\r\n');
    expect(lines[0]).toBe('line,id,credits,amount_minor,currency,calls,at');
    expect(lines).toContain('figure,opening_balance,1000,,,,');
    expect(lines).toContain('figure,closing_balance,2850,,,,');
    expect(lines).toContain('purchase,p1,5000,50,usd,,2026-02-02T00:00:00.000Z');
    expect(lines).toContain(`model,"'=evil,""model""",3000,,,2,`);
    expect(lines.at(-1)).toBe('');
    expect(csvField('-5', false)).toBe('-5');
    expect(csvField('a\nb')).toBe('"a\nb"');
  });
});
