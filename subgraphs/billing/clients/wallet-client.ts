import { GraphQLError } from 'graphql';
import type { ServiceClient } from '../../../lib/service-client.js';
import { createWalletFunding } from './wallet-funding.js';

/** A GRANT as the wallet recorded it. */
export interface GrantRef {
  id: string;
  amount: string;
  createdAt: string;
}

const GRANTS = `mutation Grants($grants: [GrantCreditsInput!]!) {
  grantCreditsBatch(grants: $grants) { id amount createdAt }
}`;

/** A payment's grant as billing asks for it. */
export interface PaymentGrant {
  teamId: string;
  credits: bigint;
  paymentId: string;
  purchaseId: string;
  source: 'CHECKOUT' | 'AUTO_RECHARGE' | 'RECOVERED';
}

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
     * Grants payments' credits, in order, in one call. Each key is the payment's id, so one
     * payment grants once whatever path (webhook, recharge, reconciliation) gets there first, and
     * twice in one call grants once. Each answer is the grant, or the GraphQLError that refused
     * that one; a transport failure rejects the whole call.
     */
    async grantForPayments(
      grants: readonly PaymentGrant[],
      requestId: string,
    ): Promise<Array<GrantRef | GraphQLError>> {
      const { data, errors } = await client.graphqlPartial<{
        grantCreditsBatch: Array<GrantRef | null>;
      }>(
        walletUrl,
        GRANTS,
        {
          grants: grants.map((g) => ({
            walletId: g.teamId,
            amount: g.credits.toString(),
            idempotencyKey: g.paymentId,
            memo: `Purchase ${g.purchaseId}`,
            metadata: { paymentId: g.paymentId, purchaseId: g.purchaseId, source: g.source },
          })),
        },
        requestId,
      );
      return grants.map(
        (_, i) =>
          data?.grantCreditsBatch?.[i] ??
          errors.find((e) => e.path?.[1] === i) ??
          new GraphQLError('The wallet gave no answer for this grant.', {
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          }),
      );
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
