import { createWalletLoaders } from './loaders.js';
import type { LedgerReads, WalletRow } from './store/ledger-reads.js';
import type { HoldRow } from './store/transfer-rows.js';

const NOW = new Date('2026-01-31T12:00:00Z');

const walletRow = (id: string): WalletRow => ({
  id,
  posted: 10n,
  held: 0n,
  available: 10n,
  owed: 0n,
  disputeHeld: 0n,
  budgetLimit: null,
  alertThresholds: [],
  monthToDateSpend: 0n,
  suspended: false,
  suspendedReason: null,
  lowBalanceThreshold: null,
});

const holdRow = (id: string): HoldRow => ({
  id,
  walletId: 'w',
  amount: 5n,
  status: 'PENDING',
  capturedAmount: null,
  excessAmount: null,
  owedAmount: null,
  spentAmount: 0n,
  expiresAt: NOW,
  createdAt: NOW,
  resolvedAt: null,
  metadata: {},
  idempotencyKey: null,
});

/** Fake reads that record every batch they are asked for; holds answer in an order of their own. */
function recordingReads(knownHolds: string[]) {
  const calls = { balances: [] as string[][], holdsByIds: [] as string[][] };
  const reads = {
    balances: async (ids: readonly string[]) => {
      calls.balances.push([...ids]);
      return ids.map(walletRow);
    },
    holdsByIds: async (ids: readonly string[]) => {
      calls.holdsByIds.push([...ids]);
      return knownHolds
        .filter((id) => ids.includes(id))
        .reverse()
        .map(holdRow);
    },
  } as unknown as LedgerReads;
  return { calls, reads };
}

describe('wallet loaders (batch shapes)', () => {
  it('loads the wallets of one tick in one batch, each id once', async () => {
    const { calls, reads } = recordingReads([]);
    const loaders = createWalletLoaders(reads);
    const wallets = await Promise.all(['a', 'b', 'a', 'c'].map((id) => loaders.wallet.load(id)));
    expect(calls.balances).toEqual([['a', 'b', 'c']]);
    expect(wallets.map((w) => w.id)).toEqual(['a', 'b', 'a', 'c']);
  });

  it('loads holds in one batch and answers in key order, NOT_FOUND for a missing one', async () => {
    const { calls, reads } = recordingReads(['h1', 'h3']);
    const loaders = createWalletLoaders(reads);
    const results = await Promise.allSettled(['h1', 'h2', 'h3'].map((id) => loaders.hold.load(id)));
    expect(calls.holdsByIds).toEqual([['h1', 'h2', 'h3']]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason.extensions.code)),
    ).toEqual(['h1', 'NOT_FOUND', 'h3']);
  });

  it('splits batches at the backend limit of 1000 keys', async () => {
    const { calls, reads } = recordingReads([]);
    const loaders = createWalletLoaders(reads);
    const ids = Array.from({ length: 1001 }, (_, i) => `w${i}`);
    await Promise.all(ids.map((id) => loaders.wallet.load(id)));
    expect(calls.balances.map((batch) => batch.length)).toEqual([1000, 1]);
  });

  it('keeps no cache across requests: each request reads afresh', async () => {
    const { calls, reads } = recordingReads([]);
    await createWalletLoaders(reads).wallet.load('a');
    await createWalletLoaders(reads).wallet.load('a');
    expect(calls.balances).toEqual([['a'], ['a']]);
  });
});
