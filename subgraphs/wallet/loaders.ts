import DataLoader from 'dataloader';
import type { WalletRow, WalletStore } from './store/wallet-store.js';

export function createWalletLoaders(stores: { wallets: WalletStore }) {
  return {
    wallet: new DataLoader<string, WalletRow>((ids) => stores.wallets.byIds(ids), {
      maxBatchSize: 1000,
    }),
  };
}

export type WalletLoaders = ReturnType<typeof createWalletLoaders>;
