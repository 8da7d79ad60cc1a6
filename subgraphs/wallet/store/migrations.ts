import type { Migration } from '../../../lib/db/index.js';

/**
 * The wallet subgraph's schema. This first table keeps a team's totals; the double-entry ledger
 * (accounts, transfers, holds) arrives with the wallet issue as further migrations.
 */
export const walletMigrations: Migration[] = [
  {
    id: '001_wallets',
    sql: `
CREATE TABLE wallets (
  id uuid PRIMARY KEY,
  posted bigint NOT NULL DEFAULT 0 CHECK (posted >= 0),
  held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (held <= posted)
);
`,
  },
];
