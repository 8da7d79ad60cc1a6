import type { ServiceClient } from '../../../lib/service-client.js';

/** A GRANT of the ledger as reconciliation and statements read it. */
export interface LedgerGrant {
  id: string;
  walletId: string;
  amount: bigint;
  paymentId: string | null;
  purchaseId: string | null;
  createdAt: string;
}

/** A wallet's figures over a window (the wallet's `walletStatement`), credits in µcr. */
export interface WalletFigures {
  openingPosted: bigint;
  openingOwed: bigint;
  closingPosted: bigint;
  closingOwed: bigint;
  granted: bigint;
  debited: bigint;
  charged: bigint;
  refunded: bigint;
  usageByModel: Array<{ modelId: string; calls: number; credits: bigint }>;
}

interface TransactionNode {
  id: string;
  amount: string;
  paymentId: string | null;
  purchaseId: string | null;
  createdAt: string;
  wallet: { id: string };
}

const GRANTS_FOR_PAYMENTS = `query GrantsForPayments($ids: [String!]!) {
  grantsForPayments(paymentIds: $ids) { id amount paymentId purchaseId createdAt wallet { id } }
}`;

const STATEMENT = `query WalletStatement($walletId: ID!, $from: DateTime!, $to: DateTime!) {
  walletStatement(walletId: $walletId, from: $from, to: $to) {
    openingPosted openingOwed closingPosted closingOwed granted debited charged refunded
    usageByModel { model { id } calls spend }
  }
}`;

const GRANTS_IN_WINDOW = `query GrantsInWindow($walletId: ID!, $from: DateTime!, $to: DateTime!,
  $after: String) {
  wallet(id: $walletId) {
    transactions(first: 100, after: $after, filter: { kinds: [GRANT], from: $from, to: $to }) {
      edges { node { id amount paymentId purchaseId createdAt wallet { id } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

/** The most payment ids one grantsForPayments takes (the wallet's limit). */
export const GRANTS_FOR_PAYMENTS_LIMIT = 1000;

const toGrant = (t: TransactionNode): LedgerGrant => ({
  id: t.id,
  walletId: t.wallet.id,
  amount: BigInt(t.amount),
  paymentId: t.paymentId,
  purchaseId: t.purchaseId,
  createdAt: t.createdAt,
});

/**
 * What billing reads from the wallet (service scope wallet:fund) for statements and
 * reconciliation: reads only, through the same service client as every other wallet call.
 */
export function createWalletReads(options: { client: ServiceClient; walletUrl: string }) {
  const { client, walletUrl } = options;
  return {
    /** Every GRANT naming one of these payments (at most GRANTS_FOR_PAYMENTS_LIMIT ids). */
    async grantsForPayments(paymentIds: readonly string[], requestId: string) {
      if (paymentIds.length === 0) return [];
      const data = await client.graphql<{ grantsForPayments: TransactionNode[] }>(
        walletUrl,
        GRANTS_FOR_PAYMENTS,
        { ids: paymentIds },
        requestId,
      );
      return data.grantsForPayments.map(toGrant);
    },

    /** The wallet's figures from `from` (inclusive) to `to` (exclusive). */
    async statement(walletId: string, from: Date, to: Date, requestId: string) {
      const data = await client.graphql<{
        walletStatement: Omit<WalletFigures, 'usageByModel'> & {
          usageByModel: Array<{ model: { id: string }; calls: number; spend: string }>;
        };
      }>(
        walletUrl,
        STATEMENT,
        { walletId, from: from.toISOString(), to: to.toISOString() },
        requestId,
      );
      const s = data.walletStatement;
      return {
        openingPosted: BigInt(s.openingPosted),
        openingOwed: BigInt(s.openingOwed),
        closingPosted: BigInt(s.closingPosted),
        closingOwed: BigInt(s.closingOwed),
        granted: BigInt(s.granted),
        debited: BigInt(s.debited),
        charged: BigInt(s.charged),
        refunded: BigInt(s.refunded),
        usageByModel: s.usageByModel.map((u) => ({
          modelId: u.model.id,
          calls: u.calls,
          credits: BigInt(u.spend),
        })),
      } satisfies WalletFigures;
    },

    /** The wallet's GRANTs from `from` (inclusive) to `to` (exclusive), every page. */
    async grantsBetween(walletId: string, from: Date, to: Date, requestId: string) {
      const grants: LedgerGrant[] = [];
      let after: string | null = null;
      for (;;) {
        const data: {
          wallet: {
            transactions: {
              edges: Array<{ node: TransactionNode }>;
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
            };
          } | null;
        } = await client.graphql(
          walletUrl,
          GRANTS_IN_WINDOW,
          { walletId, from: from.toISOString(), to: to.toISOString(), after },
          requestId,
        );
        const page = data.wallet?.transactions;
        if (!page) return grants;
        grants.push(...page.edges.map((e) => toGrant(e.node)));
        if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return grants;
        after = page.pageInfo.endCursor;
      }
    },
  };
}

export type WalletReads = ReturnType<typeof createWalletReads>;
