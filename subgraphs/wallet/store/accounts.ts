/** System accounts have eight shards each; a wallet always uses the same shard. */
const SHARDS = 8;

const systemAccount = (family: '8001' | '8002' | '8003', shard: number) =>
  `00000000-0000-4000-${family}-00000000000${shard}`;

export function shardOf(walletId: string): number {
  return Number.parseInt(walletId.replace(/-/g, '').slice(-2), 16) % SHARDS;
}

/** Where a wallet's granted credits come from. */
export const fundingAccountFor = (walletId: string) => systemAccount('8001', shardOf(walletId));
/** Where a wallet's captured charges go. */
export const revenueAccountFor = (walletId: string) => systemAccount('8002', shardOf(walletId));
/** What a wallet owes: charges beyond a hold that its balance could not cover. */
export const receivableAccountFor = (walletId: string) => systemAccount('8003', shardOf(walletId));
