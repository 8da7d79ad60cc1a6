import type { Queryable } from '../../../lib/db/index.js';

/** A wallet's totals; a team that never received credits has a wallet of zeros. */
export interface WalletRow {
  id: string;
  posted: bigint;
  held: bigint;
}

export function createWalletStore(db: Queryable) {
  return {
    /** One row per id asked, zeros where the wallet has never been written. */
    async byIds(ids: readonly string[]): Promise<WalletRow[]> {
      const { rows } = await db.query<{ id: string; posted: string; held: string }>(
        'SELECT id, posted, held FROM wallets WHERE id = ANY($1::uuid[])',
        [ids],
      );
      const found = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => {
        const row = found.get(id);
        return { id, posted: BigInt(row?.posted ?? 0), held: BigInt(row?.held ?? 0) };
      });
    },
  };
}

export type WalletStore = ReturnType<typeof createWalletStore>;
