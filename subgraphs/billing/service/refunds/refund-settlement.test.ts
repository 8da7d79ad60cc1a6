import type { AuditClient, BillingAuditEvent } from '../../clients/audit-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import type { PurchaseRow } from '../../store/purchase-rows.js';
import type { RefundRow, RefundStore } from '../../store/refund-store.js';
import { createOwedSuspension } from './owed-suspension.js';
import { createRefundSettlement } from './refund-settlement.js';

const purchase = { id: 'p1', teamId: 't1', paymentId: 'pi_1' } as PurchaseRow;

/** A refunds table of one row, moving as the store's conditional updates do. */
function setup(credits = 5_000_000n) {
  let row = {
    id: 'r1',
    purchaseId: 'p1',
    teamId: 't1',
    status: 'PENDING',
    source: 'ADMIN',
    amountMinor: 500,
    credits,
    debitedCredits: null,
    owedCredits: null,
  } as RefundRow;
  const refunds = {
    byId: async () => row,
    markFailed: async (_id: string, failure: string) => {
      if (row.status !== 'PENDING') return null;
      row = { ...row, status: 'FAILED', failure };
      return row;
    },
    markSucceeded: async (_id: string, d: { debited: bigint; owed: bigint }) => {
      if (row.status !== 'PENDING') return null;
      row = { ...row, status: 'SUCCEEDED', debitedCredits: d.debited, owedCredits: d.owed };
      return row;
    },
  } as unknown as RefundStore;
  const debits: Array<{ key: string; credits: bigint }> = [];
  const suspended: string[] = [];
  const wallet = {
    debitForPayment: async (input: { key: string; credits: bigint }) => {
      debits.push({ key: input.key, credits: input.credits });
      return {
        transactionId: 'd1',
        debited: 1_000_000n,
        owed: input.credits - 1_000_000n,
        released: 0n,
      };
    },
    setSuspended: async (input: { teamId: string }) => {
      suspended.push(input.teamId);
    },
  } as unknown as WalletClient;
  const audited: BillingAuditEvent[] = [];
  const audit = {
    record: async (...e: BillingAuditEvent[]) => void audited.push(...e),
  } as AuditClient;
  const settle = (enabled: boolean) =>
    createRefundSettlement({
      refunds,
      wallet,
      audit,
      suspension: createOwedSuspension({ enabled, wallet, audit }),
    });
  return { settle, debits, suspended, audited, row: () => row };
}

describe('settling a refund', () => {
  it('takes nothing while the provider says pending', async () => {
    const t = setup();
    const out = await t.settle(false)(t.row(), purchase, { id: 're_1', status: 'pending' }, 'q');
    expect(out.status).toBe('PENDING');
    expect(t.debits).toEqual([]);
  });

  it('a failed refund is FAILED with nothing debited, audited once', async () => {
    const t = setup();
    const settle = t.settle(false);
    await settle(
      t.row(),
      purchase,
      { id: 're_1', status: 'failed', failure_reason: 'lost_or_stolen_card' },
      'q',
    );
    await settle(
      { ...t.row(), status: 'PENDING' },
      purchase,
      { id: 're_1', status: 'failed' },
      'q',
    );
    expect(t.row()).toMatchObject({ status: 'FAILED', debitedCredits: null });
    expect(t.debits).toEqual([]);
    expect(t.audited.map((e) => e.action)).toEqual(['REFUND_FAILED']);
  });

  it('succeeded: debits under the provider refund id, records it once, suspends when owed', async () => {
    const t = setup();
    const settle = t.settle(true);
    const first = await settle(t.row(), purchase, { id: 're_1', status: 'succeeded' }, 'q');
    // A second delivery that read the row before the first settled it.
    await settle(
      { ...first, status: 'PENDING' },
      purchase,
      { id: 're_1', status: 'succeeded' },
      'q',
    );
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      debitedCredits: 1_000_000n,
      owedCredits: 4_000_000n,
    });
    expect(new Set(t.debits.map((d) => d.key))).toEqual(new Set(['refund:re_1']));
    expect(t.suspended).toContain('t1');
    expect(t.audited.map((e) => e.action)).toEqual(['REFUND_ISSUED', 'WALLET_SUSPENDED']);
  });

  it('a refund worth no credits succeeds without a debit', async () => {
    const t = setup(0n);
    const out = await t.settle(true)(t.row(), purchase, { id: 're_1', status: 'succeeded' }, 'q');
    expect(out).toMatchObject({ status: 'SUCCEEDED', debitedCredits: 0n, owedCredits: 0n });
    expect(t.debits).toEqual([]);
    expect(t.suspended).toEqual([]);
  });
});
