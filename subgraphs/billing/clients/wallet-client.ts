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
  };
}

export type WalletClient = ReturnType<typeof createWalletClient>;
