import { badUserInput } from '../../../lib/errors.js';
import type { StatementFigures } from '../store/funding-reads.js';
import type { Ledger } from './ledger/ledger.js';

/** A wallet's statement over a window: its figures, and where they were taken. */
export interface StatementRow extends StatementFigures {
  walletId: string;
  from: Date;
  to: Date;
}

/**
 * A wallet's statement from `from` (inclusive) to `to` (exclusive). Every figure is a sum of the
 * wallet's transfers by their ledger time, never a stored total, so opening, window and closing
 * figures always add up; a window that has ended no longer changes.
 */
export async function walletStatement(
  ledger: Ledger,
  walletId: string,
  from: Date,
  to: Date,
): Promise<StatementRow> {
  if (to < from) throw badUserInput('to must not be before from.', { field: 'to' });
  const figures = await ledger.fundingReads.statementFigures(walletId, from, to);
  return { walletId, from, to, ...figures };
}
