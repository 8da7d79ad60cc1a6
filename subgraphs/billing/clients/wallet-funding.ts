import { GraphQLError } from 'graphql';
import type { ServiceClient } from '../../../lib/service-client.js';

/** What a DEBIT took: from the balance, as owed, and what a dispute hold released first. */
export interface DebitResult {
  transactionId: string;
  debited: bigint;
  owed: bigint;
  released: bigint;
}

/** A dispute hold as the wallet made it (sized by the available balance). */
export interface DisputeHold {
  id: string;
  amount: bigint;
}

/** A dispute may last this long at the provider; the wallet allows a dispute hold 180 days. */
export const DISPUTE_HOLD_SECONDS = 180 * 24 * 60 * 60;

const DEBIT = `mutation Debit($walletId: ID!, $amount: Micros!, $key: String!, $memo: String,
  $holdId: ID, $metadata: DebitMetadataInput) {
  debitCredits(walletId: $walletId, amount: $amount, idempotencyKey: $key, memo: $memo,
    holdId: $holdId, metadata: $metadata) {
    transaction { id } debitedAmount owedAmount releasedAmount
  }
}`;

const HOLD = `mutation DisputeHold($walletId: ID!, $amount: Micros!, $key: String!,
  $expires: Int!, $metadata: HoldMetadataInput) {
  authorizeHold(walletId: $walletId, amount: $amount, minimumAmount: "1", idempotencyKey: $key,
    expiresInSeconds: $expires, metadata: $metadata) { id amount }
}`;

const VOID = `mutation VoidHold($holdId: ID!) { voidHold(holdId: $holdId) { id status } }`;

const SUSPEND = `mutation Suspend($walletId: ID!, $suspended: Boolean!, $reason: String) {
  setWalletSuspended(walletId: $walletId, suspended: $suspended, reason: $reason) { id }
}`;

const codeOf = (error: unknown) =>
  error instanceof GraphQLError ? (error.extensions?.code as string | undefined) : undefined;

/**
 * The wallet's operations that take a purchase's credits back (service scope wallet:fund):
 * debits for refunds and lost disputes, dispute holds, and suspension. Each is idempotent under
 * its key, so a redelivered event or a retried refund changes nothing twice.
 */
export function createWalletFunding(options: { client: ServiceClient; walletUrl: string }) {
  const { client, walletUrl } = options;
  return {
    /** Takes credits back, never below zero: what the balance cannot cover is owed. */
    async debitForPayment(input: {
      teamId: string;
      credits: bigint;
      key: string;
      memo: string;
      holdId?: string | null;
      paymentId: string;
      purchaseId: string;
      source: 'refund' | 'dispute';
      requestId: string;
    }): Promise<DebitResult> {
      const data = await client.graphql<{
        debitCredits: {
          transaction: { id: string };
          debitedAmount: string;
          owedAmount: string;
          releasedAmount: string;
        };
      }>(
        walletUrl,
        DEBIT,
        {
          walletId: input.teamId,
          amount: input.credits.toString(),
          key: input.key,
          memo: input.memo,
          holdId: input.holdId ?? null,
          metadata: {
            paymentId: input.paymentId,
            purchaseId: input.purchaseId,
            source: input.source,
          },
        },
        input.requestId,
      );
      const debit = data.debitCredits;
      return {
        transactionId: debit.transaction.id,
        debited: BigInt(debit.debitedAmount),
        owed: BigInt(debit.owedAmount),
        released: BigInt(debit.releasedAmount),
      };
    },

    /**
     * Holds up to `credits` of a disputed payment, as much as the available balance has; null
     * when nothing is available (INSUFFICIENT_FUNDS is an answer here, not a failure).
     */
    async holdDisputed(input: {
      teamId: string;
      credits: bigint;
      key: string;
      note: string;
      requestId: string;
    }): Promise<DisputeHold | null> {
      try {
        const data = await client.graphql<{ authorizeHold: { id: string; amount: string } }>(
          walletUrl,
          HOLD,
          {
            walletId: input.teamId,
            amount: input.credits.toString(),
            key: input.key,
            expires: DISPUTE_HOLD_SECONDS,
            metadata: { purpose: 'DISPUTE', note: input.note.slice(0, 200) },
          },
          input.requestId,
        );
        return { id: data.authorizeHold.id, amount: BigInt(data.authorizeHold.amount) };
      } catch (error) {
        if (codeOf(error) === 'INSUFFICIENT_FUNDS') return null;
        throw error;
      }
    },

    /** Releases a dispute hold; one already resolved (voided, expired, debited) is done already. */
    async releaseHold(holdId: string, requestId: string): Promise<void> {
      try {
        await client.graphql(walletUrl, VOID, { holdId }, requestId);
      } catch (error) {
        const code = codeOf(error);
        if (code === 'HOLD_ALREADY_RESOLVED' || code === 'HOLD_EXPIRED') return;
        throw error;
      }
    },

    async setSuspended(input: {
      teamId: string;
      suspended: boolean;
      reason: string | null;
      requestId: string;
    }): Promise<void> {
      await client.graphql(
        walletUrl,
        SUSPEND,
        { walletId: input.teamId, suspended: input.suspended, reason: input.reason },
        input.requestId,
      );
    },
  };
}

export type WalletFunding = ReturnType<typeof createWalletFunding>;
