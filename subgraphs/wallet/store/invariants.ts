import type { Queryable } from '../../../lib/db/index.js';

export interface LedgerInvariants {
  /** Sum of all debits equals sum of all credits, posted and pending separately. */
  conserved: boolean;
  /** No wallet's posted + pending debits exceed its posted credits. */
  noNegativeAvailable: boolean;
  /**
   * Every wallet's stored totals (owed included) equal what its transfers add up to, what
   * wallets owe equals what the receivable accounts hold, and each capture's, spend's and debit's
   * recorded excess and owed part equal its EXCESS and OWED transfers.
   */
  totalsMatchTransfers: boolean;
  /**
   * Every open hold is unresolved, what each has spent equals its SPENDs, each wallet's pending
   * debits equal what its open holds have left (its dispute_held, what its open dispute holds
   * have left), and a resolution released what its hold had left.
   */
  openHoldsMatchPending: boolean;
  /**
   * The funding shards gave exactly the GRANTs and got back exactly the DEBITs and the owed
   * parts of debits (OWED crediting funding), and hold nothing pending.
   */
  fundingMatchesTransfers: boolean;
  /** No hold has more than one resolution. */
  resolvedAtMostOnce: boolean;
}

/**
 * Checks the ledger's invariants against the database as it is now (tests and the benchmark run
 * it; an operator can too). Every figure is recomputed from the transfers.
 */
export async function checkLedgerInvariants(db: Queryable): Promise<LedgerInvariants> {
  const one = async (sql: string) => (await db.query<{ ok: boolean }>(sql)).rows[0]?.ok === true;
  return {
    conserved: await one(`SELECT sum(debits_posted) = sum(credits_posted)
      AND sum(debits_pending) = sum(credits_pending) AS ok FROM accounts`),
    noNegativeAvailable: await one(`SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE kind = 'WALLET'
      AND debits_posted + debits_pending > credits_posted) AS ok`),
    totalsMatchTransfers: await one(`
      WITH t AS (
        SELECT wallet_id,
          sum(CASE WHEN kind IN ('GRANT', 'REFUND') THEN amount ELSE 0 END) AS credits,
          sum(CASE WHEN kind IN ('CAPTURE', 'EXCESS', 'REPAY', 'SPEND', 'DEBIT') THEN amount
                   ELSE 0 END)
            AS debits,
          sum(CASE WHEN kind = 'HOLD' THEN amount WHEN kind IN ('CAPTURE', 'VOID', 'EXPIRE')
                   THEN -released WHEN kind = 'SPEND' THEN -amount ELSE 0 END) AS pending,
          sum(CASE WHEN kind = 'OWED' THEN amount WHEN kind = 'REPAY' THEN -amount ELSE 0 END)
            AS owed
        FROM transfers GROUP BY wallet_id)
      SELECT NOT EXISTS (
        SELECT 1 FROM accounts a LEFT JOIN t ON t.wallet_id = a.id WHERE a.kind = 'WALLET' AND (
          a.credits_posted <> coalesce(t.credits, 0) OR a.debits_posted <> coalesce(t.debits, 0)
          OR a.debits_pending <> coalesce(t.pending, 0) OR a.owed <> coalesce(t.owed, 0)))
        AND (SELECT coalesce(sum(owed), 0) FROM accounts WHERE kind = 'WALLET') =
            (SELECT coalesce(sum(debits_posted - credits_posted), 0) FROM accounts
             WHERE kind = 'RECEIVABLE')
        AND NOT EXISTS (
          SELECT 1 FROM transfers c
          LEFT JOIN (SELECT pending_id, sum(amount) AS excess,
                       coalesce(sum(amount) FILTER (WHERE kind = 'OWED'), 0) AS owed
                     FROM transfers WHERE kind IN ('EXCESS', 'OWED') GROUP BY pending_id) x
            -- A capture's excess names its hold; a spend's names the spend, a debit's the debit.
            ON x.pending_id = CASE WHEN c.kind IN ('SPEND', 'DEBIT') THEN c.id ELSE c.pending_id END
          WHERE c.kind IN ('CAPTURE', 'SPEND', 'DEBIT')
            -- A debit's only charge beyond itself is what it left owed.
            AND (coalesce((c.metadata->>'excess')::bigint,
                   CASE WHEN c.kind = 'DEBIT' THEN (c.metadata->>'owed')::bigint END, 0)
                 <> coalesce(x.excess, 0)
              OR coalesce((c.metadata->>'owed')::bigint, 0) <> coalesce(x.owed, 0))) AS ok`),
    openHoldsMatchPending: await one(`
      WITH spends AS (SELECT pending_id, sum(amount) AS spent FROM transfers WHERE kind = 'SPEND'
                      GROUP BY pending_id)
      SELECT NOT EXISTS (SELECT 1 FROM open_holds o JOIN transfers r ON r.pending_id = o.hold_id
                         AND r.kind IN ('CAPTURE', 'VOID', 'EXPIRE'))
        AND NOT EXISTS (SELECT 1 FROM open_holds o LEFT JOIN spends s ON s.pending_id = o.hold_id
                        WHERE o.spent <> coalesce(s.spent, 0))
        AND NOT EXISTS (
          SELECT 1 FROM transfers h
          JOIN transfers r ON r.pending_id = h.id AND r.kind IN ('CAPTURE', 'VOID', 'EXPIRE')
          LEFT JOIN spends s ON s.pending_id = h.id
          WHERE h.kind = 'HOLD' AND r.released + coalesce(s.spent, 0) <> h.amount)
        AND NOT EXISTS (
          SELECT 1 FROM accounts a
          LEFT JOIN (SELECT o.wallet_id, sum(t.amount - o.spent) AS held,
                       coalesce(sum(t.amount - o.spent)
                         FILTER (WHERE t.metadata->>'purpose' = 'DISPUTE'), 0) AS disputed
                     FROM open_holds o
                     JOIN transfers t ON t.id = o.hold_id GROUP BY o.wallet_id) h ON h.wallet_id = a.id
          WHERE a.kind = 'WALLET' AND (a.debits_pending <> coalesce(h.held, 0)
            OR a.dispute_held <> coalesce(h.disputed, 0))) AS ok`),
    fundingMatchesTransfers: await one(`
      WITH f AS (SELECT coalesce(sum(debits_posted), 0) AS gave,
                   coalesce(sum(credits_posted), 0) AS got,
                   coalesce(sum(debits_pending + credits_pending), 0) AS pending
                 FROM accounts WHERE kind = 'FUNDING')
      SELECT f.pending = 0
        AND f.gave = (SELECT coalesce(sum(amount), 0) FROM transfers WHERE kind = 'GRANT')
        AND f.got = (SELECT coalesce(sum(t.amount), 0) FROM transfers t
                     WHERE t.kind = 'DEBIT' OR (t.kind = 'OWED' AND t.credit_account_id IN
                       (SELECT id FROM accounts WHERE kind = 'FUNDING'))) AS ok
      FROM f`),
    resolvedAtMostOnce: await one(`SELECT NOT EXISTS (SELECT pending_id FROM transfers
      WHERE kind IN ('CAPTURE', 'VOID', 'EXPIRE') GROUP BY pending_id HAVING count(*) > 1) AS ok`),
  };
}
