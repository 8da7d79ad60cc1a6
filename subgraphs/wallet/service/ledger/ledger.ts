import type { Db } from '../../../../lib/db/index.js';
import { createAuthorizeHold } from './authorize-hold.js';
import { setBudget, type BudgetInput } from './budget.js';
import { createCaptureHold } from './capture.js';
import { createLedgerCore } from './core.js';
import { debit, type DebitInput } from './debit.js';
import { createFundingReads } from '../../store/funding-reads.js';
import { createGrant } from './grant.js';
import { refund, type RefundInput } from './refund.js';
import { createSpendFromHold } from './spend.js';
import { sweepExpired, voidHold } from './void.js';
import { setLowBalanceThreshold, setSuspended } from './wallet-settings.js';

/**
 * The wallet's double-entry ledger, one file per operation over a shared core (core.ts). Every
 * operation is one statement (or, for refunds and charges beyond a hold, one short transaction)
 * whose conditions are checked under the row locks it takes — never read, then written — so
 * concurrent callers cannot overspend, double-resolve or double-apply a key. The SQL lives in
 * ../../store/; the rules (validation, idempotency, batching, refusals explained) live here.
 */
export function createLedger(db: Db) {
  const core = createLedgerCore(db);
  return {
    reads: core.reads,
    /** What the billing service reads: payments' grants, low-balance crossings, statements. */
    fundingReads: createFundingReads(db),
    /** Adds credits to a wallet from the funding account; concurrent grants batch (grant.ts). */
    grant: createGrant(core),
    /** Reserves credits for a call (authorize-hold.ts). */
    authorizeHold: createAuthorizeHold(core),
    /** Charges a hold and releases the rest (capture.ts). */
    captureHold: createCaptureHold(core),
    /** Charges part of a hold that stays open, and beyond it what it cannot cover (spend.ts). */
    spendFromHold: createSpendFromHold(core),
    /** Releases a hold without charging (void.ts). */
    voidHold: (input: { holdId: string; actor: string }) => voidHold(core, input),
    /** Releases holds past their expiry; returns how many (void.ts). */
    sweepExpired: (limit?: number, actor?: string) => sweepExpired(core, limit, actor),
    /** Returns part or all of a captured charge to the wallet (refund.ts). */
    refund: (input: RefundInput) => refund(core, input),
    /** Sets or clears a wallet's monthly budget (budget.ts). */
    setBudget: (input: BudgetInput) => setBudget(core, input),
    /** Takes credits back out to funding; what the balance lacks is owed (debit.ts). */
    debit: (input: DebitInput) => debit(core, input),
    /** Suspends or reinstates a wallet (wallet-settings.ts). */
    setSuspended: (input: Parameters<typeof setSuspended>[1]) => setSuspended(core, input),
    /** Sets or clears the low-balance threshold (wallet-settings.ts). */
    setLowBalanceThreshold: (input: Parameters<typeof setLowBalanceThreshold>[1]) =>
      setLowBalanceThreshold(core, input),
  };
}

export type Ledger = ReturnType<typeof createLedger>;
