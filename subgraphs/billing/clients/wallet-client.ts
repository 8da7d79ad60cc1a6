import type { ServiceClient } from '../../../lib/service-client.js';
import { createWalletFunding } from './wallet-funding.js';

/** A GRANT as the wallet recorded it. */
export interface GrantRef {
  id: string;
  amount: string;
  createdAt: string;
}

const GRANT = `mutation Grant($walletId: ID!, $amount: Micros!, $key: String!, $memo: String,
  $metadata: GrantMetadataInput) {
  grantCredits(walletId: $walletId, amount: $amount, idempotencyKey: $key, memo: $memo,
    metadata: $metadata) { id amount createdAt }
}`;

const SET_THRESHOLD = `mutation SetThreshold($walletId: ID!, $threshold: Micros) {
  setLowBalanceThreshold(walletId: $walletId, threshold: $threshold) { id }
}`;

const AVAILABLE = `query Available($id: ID!) { wallet(id: $id) { balance { available } } }`;

const CROSSINGS = `query Crossings($after: String, $first: Int) {
  balanceCrossings(after: $after, first: $first) {
    edges { cursor node { id wallet { id } threshold availableAfter createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** A low-balance crossing as the wallet's feed gives it, with its place in the feed. */
export interface BalanceCrossingRef {
  cursor: string;
  id: string;
  walletId: string;
  threshold: string;
  availableAfter: string;
}

/**
 * The wallet's funding operations, as billing calls them (service scope wallet:fund). Every call
 * is idempotent under its key, so a retry (a redelivered event, a restarted worker) changes
 * nothing twice. Business refusals arrive as GraphQLErrors with the wallet's codes; an
 * unreachable wallet as ServiceUnavailableError.
 */
export function createWalletClient(options: { client: ServiceClient; walletUrl: string }) {
  const { client, walletUrl } = options;
  return {
    /**
     * Grants a payment's credits. The key is the payment's id, so one payment grants once
     * whatever path (webhook, recharge, reconciliation) gets there first.
     */
    async grantForPayment(input: {
      teamId: string;
      credits: bigint;
      paymentId: string;
      purchaseId: string;
      source: 'CHECKOUT' | 'AUTO_RECHARGE' | 'RECOVERED';
      requestId: string;
    }): Promise<GrantRef> {
      const data = await client.graphql<{ grantCredits: GrantRef }>(
        walletUrl,
        GRANT,
        {
          walletId: input.teamId,
          amount: input.credits.toString(),
          key: input.paymentId,
          memo: `Purchase ${input.purchaseId}`,
          metadata: {
            paymentId: input.paymentId,
            purchaseId: input.purchaseId,
            source: input.source,
          },
        },
        input.requestId,
      );
      return data.grantCredits;
    },
    // Refunds' and disputes' debits, dispute holds and suspension (decision 70).
    ...createWalletFunding(options),

    /** Sets (or, with null, clears) the wallet's low-balance threshold, in µcr. */
    async setLowBalanceThreshold(
      teamId: string,
      threshold: bigint | null,
      requestId: string,
    ): Promise<void> {
      await client.graphql(
        walletUrl,
        SET_THRESHOLD,
        { walletId: teamId, threshold: threshold === null ? null : threshold.toString() },
        requestId,
      );
    },

    /** The wallet's available balance in µcr (every team has a wallet). */
    async availableBalance(teamId: string, requestId: string): Promise<bigint> {
      const data = await client.graphql<{ wallet: { balance: { available: string } } | null }>(
        walletUrl,
        AVAILABLE,
        { id: teamId },
        requestId,
      );
      return BigInt(data.wallet?.balance.available ?? '0');
    },

    /** The next page of every wallet's low-balance crossings after `after`, oldest first. */
    async balanceCrossings(
      after: string | null,
      first: number,
      requestId: string,
    ): Promise<{ crossings: BalanceCrossingRef[]; hasNextPage: boolean }> {
      const data = await client.graphql<{
        balanceCrossings: {
          edges: Array<{
            cursor: string;
            node: { id: string; wallet: { id: string }; threshold: string; availableAfter: string };
          }>;
          pageInfo: { hasNextPage: boolean };
        };
      }>(walletUrl, CROSSINGS, { after, first }, requestId);
      const page = data.balanceCrossings;
      return {
        crossings: page.edges.map(({ cursor, node }) => ({
          cursor,
          id: node.id,
          walletId: node.wallet.id,
          threshold: node.threshold,
          availableAfter: node.availableAfter,
        })),
        hasNextPage: page.pageInfo.hasNextPage,
      };
    },
  };
}

export type WalletClient = ReturnType<typeof createWalletClient>;
