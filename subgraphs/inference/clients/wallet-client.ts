import { GraphQLError } from 'graphql';
import type { ServiceClient } from '../../../lib/service-client.js';
import type { TokenUsage } from '../providers/types.js';

export interface HoldRef {
  id: string;
  status: 'PENDING' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';
  amount: string;
  /** Once CAPTURED: everything the call was charged, the excess beyond the hold included. */
  capturedAmount: string | null;
  /** Once CAPTURED: the part of the charge the balance could not cover (owed). */
  owedAmount: string | null;
  expiresAt: string;
}

/** What a hold is for (wallet `HoldPurpose`). */
export type HoldPurpose = 'CALL' | 'LEASE' | 'FLOW_RUN' | 'DISPUTE';

/** A hold as `hold(id)` reads it: whose it is, what it is for, and what spends took from it. */
export interface HoldDetail extends HoldRef {
  /** The wallet it reserves from: its team's id. */
  walletId: string;
  purpose: HoldPurpose;
  /** What spends charged from it so far; it has `amount - spentAmount` left. */
  spentAmount: string;
}

/** One charge against a hold, as the wallet recorded it (spendFromHolds). */
export interface HoldSpendRef {
  id: string;
  /** Everything charged: the part the hold covered plus any excess beyond it. */
  amount: string;
  /** What the hold could not cover, charged from the balance (owed included). */
  excessAmount: string;
  /** The part of the excess the balance could not cover, recorded as owed. */
  owedAmount: string;
}

/** A spend as the inference service asks for it: idempotent by its key, retried as it is. */
export interface SpendRequest {
  holdId: string;
  amount: bigint;
  idempotencyKey: string;
  usage: TokenUsage & { modelId: string; priceVersion: number };
}

const HOLD_FIELDS = 'id status amount capturedAmount owedAmount expiresAt';
const SPEND_FIELDS = 'id amount excessAmount owedAmount';
/** A hold of `amount`; with `$minimum`, of the most between the two the wallet has room for. */
const authorizeQuery = (upTo: boolean) => `mutation Authorize($walletId: ID!, $amount: Micros!,
  ${upTo ? '$minimum: Micros!, ' : ''}$key: String!, $ttl: Int!, $metadata: HoldMetadataInput) {
  authorizeHold(walletId: $walletId, amount: $amount, ${upTo ? 'minimumAmount: $minimum, ' : ''}
    idempotencyKey: $key, expiresInSeconds: $ttl, metadata: $metadata) { ${HOLD_FIELDS} }
}`;
const AUTHORIZE = authorizeQuery(false);
const AUTHORIZE_UP_TO = authorizeQuery(true);
const SPEND = `mutation Spend($spends: [HoldSpendInput!]!) {
  spendFromHolds(spends: $spends) { ${SPEND_FIELDS} }
}`;
const CAPTURE = `mutation Capture($holdId: ID!, $amount: Micros!, $key: String!, $usage: UsageInput) {
  captureHold(holdId: $holdId, amount: $amount, idempotencyKey: $key, usage: $usage,
    chargeExcess: true) { ${HOLD_FIELDS} }
}`;
const HOLD = `query Hold($id: ID!) {
  hold(id: $id) { ${HOLD_FIELDS} walletId purpose spentAmount }
}`;
const HOLD_BY_KEY = `query HoldByKey($walletId: ID!, $key: String!) {
  holdByKey(walletId: $walletId, idempotencyKey: $key) { ${HOLD_FIELDS} }
}`;
const VOID = `mutation Void($holdId: ID!) { voidHold(holdId: $holdId) { ${HOLD_FIELDS} } }`;

/**
 * The wallet's hold operations, as the inference service calls them (service scope wallet:hold).
 * Business refusals (INSUFFICIENT_FUNDS, BUDGET_EXCEEDED, ...) arrive as GraphQLErrors with the
 * wallet's figures; an unreachable wallet as ServiceUnavailableError.
 */
// Long only as a factory: it wires or returns short methods, each read on its own.
export function createWalletClient(options: { client: ServiceClient; walletUrl: string }) {
  const { client, walletUrl } = options;
  return {
    async authorize(input: {
      teamId: string;
      amount: bigint;
      /** When set, the wallet grants the most between this and `amount` that it has room for. */
      minimumAmount?: bigint;
      idempotencyKey: string;
      ttlSeconds: number;
      metadata: {
        /** The model a call's hold is for; absent on a credit lease (many calls, any model). */
        modelId?: string;
        priceVersion?: number;
        requestId: string;
        runId: string;
        note?: string;
      };
      requestId: string;
    }): Promise<HoldRef> {
      const data = await client.graphql<{ authorizeHold: HoldRef }>(
        walletUrl,
        input.minimumAmount === undefined ? AUTHORIZE : AUTHORIZE_UP_TO,
        {
          walletId: input.teamId,
          amount: input.amount.toString(),
          ...(input.minimumAmount !== undefined && { minimum: input.minimumAmount.toString() }),
          key: input.idempotencyKey,
          ttl: input.ttlSeconds,
          metadata: input.metadata,
        },
        input.requestId,
      );
      return data.authorizeHold;
    },

    /**
     * Charges the hold `amount`; above the hold, the excess too (from the balance, or owed).
     * Returns the hold as the ledger left it: `capturedAmount` is what was charged.
     */
    async capture(input: {
      holdId: string;
      amount: bigint;
      idempotencyKey: string;
      /** The provider's usage, and the model and price version that answered. */
      usage: TokenUsage & { modelId: string; priceVersion: number };
      requestId: string;
    }): Promise<HoldRef> {
      const data = await client.graphql<{ captureHold: HoldRef }>(
        walletUrl,
        CAPTURE,
        {
          holdId: input.holdId,
          amount: input.amount.toString(),
          key: input.idempotencyKey,
          usage: input.usage,
        },
        input.requestId,
      );
      return data.captureHold;
    },

    /**
     * Charges each request against its hold, in order, in one call: the part the hold still has
     * from it, the rest beyond it (from the balance, or owed). Never refused for lack of funds.
     * Each answer is the spend, or the GraphQLError that refused that one (NOT_FOUND,
     * IDEMPOTENCY_CONFLICT, ...); a transport failure rejects the whole call.
     */
    async spend(
      requests: readonly SpendRequest[],
      requestId: string,
    ): Promise<Array<HoldSpendRef | GraphQLError>> {
      const { data, errors } = await client.graphqlPartial<{
        spendFromHolds: Array<HoldSpendRef | null>;
      }>(
        walletUrl,
        SPEND,
        {
          spends: requests.map((r) => ({
            holdId: r.holdId,
            amount: r.amount.toString(),
            idempotencyKey: r.idempotencyKey,
            usage: r.usage,
          })),
        },
        requestId,
      );
      return requests.map(
        (_, i) =>
          data?.spendFromHolds?.[i] ??
          errors.find((e) => e.path?.[1] === i) ??
          new GraphQLError('The wallet gave no answer for this spend.', {
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          }),
      );
    },

    /** The hold as the ledger has it now, with its wallet, purpose and spends. */
    async hold(holdId: string, requestId: string): Promise<HoldDetail | null> {
      const data = await client.graphql<{ hold: HoldDetail | null }>(
        walletUrl,
        HOLD,
        { id: holdId },
        requestId,
      );
      return data.hold;
    },

    /** The hold the team's wallet made under `idempotencyKey`, if any. */
    async holdByKey(
      teamId: string,
      idempotencyKey: string,
      requestId: string,
    ): Promise<HoldRef | null> {
      const data = await client.graphql<{ holdByKey: HoldRef | null }>(
        walletUrl,
        HOLD_BY_KEY,
        { walletId: teamId, key: idempotencyKey },
        requestId,
      );
      return data.holdByKey;
    },

    async void(holdId: string, requestId: string): Promise<HoldRef> {
      const data = await client.graphql<{ voidHold: HoldRef }>(
        walletUrl,
        VOID,
        { holdId },
        requestId,
      );
      return data.voidHold;
    },
  };
}

export type WalletClient = ReturnType<typeof createWalletClient>;
