import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { codedError, conflict } from '../../../../lib/errors.js';
import { unavailable } from '../../../../lib/service-client.js';
import { reserveFromFlowRun } from './flow-step-payment.js';
import { reserveFromLease, spendOrRecord } from './lease-payment.js';
import { withWalletRetries } from './wallet-retries.js';
import type { HoldRef } from '../../clients/wallet-client.js';
import type { TokenUsage } from '../../providers/types.js';
import type { SagaContext, SagaDeps } from './saga-types.js';
import { recordUnconfirmed } from './unconfirmed-charges.js';

/** What the ledger did about a call's cost; what `Generation.cost` and the metrics report. */
export type Charge =
  /** The ledger took `amount`, of which `owed` the wallet's balance could not cover. */
  | { status: 'CHARGED'; amount: bigint; owed: bigint }
  /** Nothing to charge: a cache hit, a shared answer, or a model priced 0. */
  | { status: 'FREE' }
  /** The wallet refused the charge outright (never for funds: a bug, logged); the platform absorbed the call. */
  | { status: 'WAIVED' }
  /**
   * The wallet has not confirmed the capture of `amount`; the charge outbox holds it durably and
   * charges it once the wallet answers (beyond the hold, should the hold be gone by then).
   */
  | { status: 'PENDING'; amount: bigint };

export const FREE: Charge = { status: 'FREE' };

/** The µcr a charge stands for (what is being captured, while PENDING). */
export const amountOf = (charge: Charge): bigint =>
  charge.status === 'CHARGED' || charge.status === 'PENDING' ? charge.amount : 0n;

/** What a capture records: the cost, and the usage and model and price version it came from. */
export interface CaptureInput {
  amount: bigint;
  usage: TokenUsage;
  modelId: string;
  priceVersion: number;
}

/** A capture as the wallet is asked for it (retried as it is: it is idempotent). */
export interface CaptureRequest {
  holdId: string;
  amount: bigint;
  idempotencyKey: string;
  usage: TokenUsage & { modelId: string; priceVersion: number };
  requestId: string;
}

/** The credits reserved for one call: captured at the exact cost, or voided. */
export interface Payment {
  /** Charges the exact cost, beyond the hold if need be, and says what the ledger did. */
  capture(input: CaptureInput): Promise<Charge>;
  /** Voids the hold: its credits go back to the wallet, nothing is charged; never throws. */
  voidHold(): Promise<void>;
}

/** Failed runs an idempotency key may have before it is refused. */
const MAX_RUNS_PER_KEY = 50;

const codeOf = (error: unknown) =>
  error instanceof GraphQLError ? (error.extensions.code as string | undefined) : undefined;

/**
 * The wallet step of the saga: a hold for the worst case, taken before any provider is called.
 * A flow step reserves it from its run's hold (flow-step-payment.ts); calls without an
 * idempotency key from a credit lease of the team's where leases are on (lease-payment.ts); the
 * rest take a hold of their own.
 * A call that may be retried under an idempotency key takes its hold under that key's next run
 * (`hold:<base>:<run>`): a run whose hold was captured refuses a retry (it was charged: never call
 * the provider twice), a run still holding refuses it for now, and a run whose hold was released
 * or expired (it failed) lets the retry run anew. The hold's metadata names this run, so a retry
 * of the authorization itself (a transport failure) gets this run's hold back and no other.
 */
export async function reserveCredits(
  deps: SagaDeps,
  ctx: SagaContext,
  input: {
    amount: bigint;
    modelId: string;
    priceVersion: number;
    ttlSeconds: number;
    /** The base of the hold keys of an idempotent request; a one-off key otherwise. */
    idempotencyBase?: string;
  },
): Promise<Payment> {
  if (ctx.flowStep) return reserveFromFlowRun(deps, ctx, ctx.flowStep, input.amount);
  if (input.amount === 0n) return paymentFor(deps, ctx, null, '');
  if (input.idempotencyBase === undefined && deps.leases) return reserveFromLease(deps, ctx, input);
  const runId = randomUUID();
  const authorize = (idempotencyKey: string) =>
    withWalletRetries(() =>
      deps.wallet.authorize({
        teamId: ctx.teamId,
        amount: input.amount,
        idempotencyKey,
        ttlSeconds: input.ttlSeconds,
        metadata: {
          modelId: input.modelId,
          priceVersion: input.priceVersion,
          requestId: ctx.requestId,
          runId,
        },
        requestId: ctx.requestId,
      }),
    );
  try {
    if (input.idempotencyBase === undefined) {
      const key = `hold:${runId}`;
      return paymentFor(deps, ctx, await authorize(key), key);
    }
    for (let run = 1; run <= MAX_RUNS_PER_KEY; run += 1) {
      const key = `hold:${input.idempotencyBase}:${run}`;
      try {
        return paymentFor(deps, ctx, await authorize(key), key);
      } catch (error) {
        if (codeOf(error) !== 'IDEMPOTENCY_CONFLICT') throw error;
        await refuseUnlessFailed(deps, ctx, key, error);
      }
    }
    throw codedError(
      'IDEMPOTENCY_CONFLICT',
      `Runs under this idempotency key failed ${MAX_RUNS_PER_KEY} times; use a new key.`,
    );
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    ctx.logger.error({ err: error }, 'wallet unreachable; call refused before the provider');
    throw unavailable('The wallet');
  }
}

/** An earlier run holds `key`: returns if that run failed (its hold released), else refuses. */
async function refuseUnlessFailed(deps: SagaDeps, ctx: SagaContext, key: string, error: unknown) {
  const earlier = await withWalletRetries(() =>
    deps.wallet.holdByKey(ctx.teamId, key, ctx.requestId),
  );
  if (earlier?.status === 'CAPTURED') {
    throw codedError(
      'IDEMPOTENCY_CONFLICT',
      'This request was already processed and charged, but its answer is no longer available.',
    );
  }
  if (earlier?.status === 'PENDING') {
    const seconds = Math.ceil((Date.parse(earlier.expiresAt) - deps.now()) / 1000);
    throw conflict('A request with this idempotency key is still running; retry shortly.', {
      retryAfterSeconds: Math.max(1, Math.min(seconds, 60)),
    });
  }
  if (!earlier) throw error;
}

// Long only as a factory: it wires or returns short methods, each read on its own.
function paymentFor(
  deps: SagaDeps,
  ctx: SagaContext,
  hold: HoldRef | null,
  holdKey: string,
): Payment {
  const charged = (ref: HoldRef): Charge => ({
    status: 'CHARGED',
    amount: BigInt(ref.capturedAmount ?? 0),
    owed: BigInt(ref.owedAmount ?? 0),
  });

  /** A capture whose outcome is unknown is resolved by asking the ledger, never guessed. */
  const resolveUnconfirmed = async (request: CaptureRequest, error: unknown): Promise<Charge> => {
    const now = await withWalletRetries(() =>
      deps.wallet.hold(request.holdId, ctx.requestId),
    ).catch(() => null);
    const facts = {
      err: error,
      holdId: request.holdId,
      cost: request.amount.toString(),
      usage: request.usage,
    };
    if (now?.status === 'CAPTURED') return charged(now);
    if (now?.status === 'VOIDED' || now?.status === 'EXPIRED') {
      // The call was served: it is charged beyond its hold, under the capture's own key.
      ctx.logger.warn(
        { ...facts, holdStatus: now.status },
        'hold released before the capture (the ledger says so); charged beyond it',
      );
      return spendOrRecord(deps, ctx, request);
    }
    await recordUnconfirmed(deps, ctx, { ...request, teamId: ctx.teamId, kind: 'CAPTURE' });
    ctx.logger.warn(facts, 'capture not confirmed by the wallet; the charge outbox charges it');
    return { status: 'PENDING', amount: request.amount };
  };

  return {
    async capture(input) {
      if (!hold) return FREE;
      const request: CaptureRequest = {
        holdId: hold.id,
        amount: input.amount,
        idempotencyKey: `capture:${holdKey}`,
        usage: { ...input.usage, modelId: input.modelId, priceVersion: input.priceVersion },
        requestId: ctx.requestId,
      };
      try {
        const ref = await withWalletRetries(() => deps.wallet.capture(request));
        if (ref.status === 'CAPTURED') return charged(ref);
        return await resolveUnconfirmed(request, new Error(`hold is ${ref.status}`));
      } catch (error) {
        return resolveUnconfirmed(request, error);
      }
    },

    async voidHold() {
      if (!hold) return;
      try {
        await withWalletRetries(() => deps.wallet.void(hold.id, ctx.requestId));
      } catch (error) {
        ctx.logger.error(
          { err: error, holdId: hold.id },
          'void failed; the hold releases its credits when it expires',
        );
      }
    },
  };
}
