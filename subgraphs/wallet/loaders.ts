import DataLoader from 'dataloader';
import { notFound } from '../../lib/errors.js';
import type { LedgerReads, WalletRow } from './store/ledger-reads.js';
import type { HoldRow } from './store/transfer-rows.js';

const MAX_BATCH = 1000;

/** DataLoaders for one request: wallets and holds read in batches. */
export function createWalletLoaders(reads: LedgerReads) {
  return {
    wallet: new DataLoader<string, WalletRow>((ids) => reads.balances(ids), {
      maxBatchSize: MAX_BATCH,
    }),
    hold: new DataLoader<string, HoldRow>(
      async (ids) => {
        const found = new Map((await reads.holdsByIds(ids)).map((h) => [h.id, h]));
        return ids.map((id) => found.get(id) ?? notFound('Hold', id));
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type WalletLoaders = ReturnType<typeof createWalletLoaders>;
