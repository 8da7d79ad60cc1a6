import { GraphQLError } from 'graphql';
import { ServiceUnavailableError } from '../../../../lib/service-client.js';
import { eventually } from '../../../../test/support/eventually.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import type { HoldRef, WalletClient } from '../../clients/wallet-client.js';
import { createCaptureFollowUps } from './capture-follow-ups.js';
import { reserveCredits, type CaptureRequest } from './payment.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

const HOLD: HoldRef = {
  id: '00000000-0000-4000-8000-000000000001',
  status: 'PENDING',
  amount: '100',
  capturedAmount: null,
  owedAmount: null,
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
};
const captured = (amount: string): HoldRef => ({
  ...HOLD,
  status: 'CAPTURED',
  capturedAmount: amount,
  owedAmount: '0',
});
const unreachable = () => new ServiceUnavailableError('wallet unreachable');
const refused = (code: string) => new GraphQLError(code, { extensions: { code } });
type Answer = HoldRef | null | Error;

/**
 * A wallet stand-in whose answers each test scripts per operation (the ledger's own behaviour is
 * tested against real databases in subgraphs/wallet; here only the saga's reading of it matters).
 */
function scriptedWallet(script: { capture?: Answer[]; hold?: Answer[] }) {
  const calls: string[] = [];
  const next = async (name: 'capture' | 'hold', fallback: Answer) => {
    calls.push(name);
    const answer = script[name]?.shift() ?? fallback;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const wallet = {
    authorize: async () => HOLD,
    capture: () => next('capture', unreachable()) as Promise<HoldRef>,
    hold: () => next('hold', unreachable()),
    holdByKey: async () => null,
    void: async () => ({ ...HOLD, status: 'VOIDED' }),
  } as unknown as WalletClient;
  return { wallet, calls };
}

async function paymentWith(script: Parameters<typeof scriptedWallet>[0]) {
  const { wallet, calls } = scriptedWallet(script);
  const log = createRecordingLogger();
  const late: Array<[CaptureRequest, bigint]> = [];
  const followUps = createCaptureFollowUps({
    wallet,
    onCharged: (request, amount) => late.push([request, amount]),
    delaysMs: [5],
  });
  const deps = { wallet, captureFollowUps: followUps, now: Date.now } as unknown as SagaDeps;
  const ctx = { teamId: 't', requestId: 'r', logger: log.logger } as unknown as SagaContext;
  const payment = await reserveCredits(deps, ctx, {
    amount: 100n,
    modelId: 'm',
    priceVersion: 1,
    ttlSeconds: 600,
  });
  const capture = () =>
    payment.capture({
      amount: 90n,
      usage: { inputTokens: 40, outputTokens: 50 },
      modelId: 'm',
      priceVersion: 1,
    });
  return { capture, calls, log, late, followUps };
}

describe('the saga reports what the ledger did with a capture', () => {
  it('reports the ledger’s figure, not the amount it asked for', async () => {
    const { capture } = await paymentWith({ capture: [captured('120')] });
    await expect(capture()).resolves.toEqual({ status: 'CHARGED', amount: 120n, owed: 0n });
  });

  it('a capture that committed although its answer was lost: asks the ledger, reports it charged', async () => {
    const { capture, calls, log } = await paymentWith({
      capture: [unreachable(), unreachable(), unreachable(), unreachable()],
      hold: [captured('90')],
    });
    await expect(capture()).resolves.toEqual({ status: 'CHARGED', amount: 90n, owed: 0n });
    expect(calls).toEqual(['capture', 'capture', 'capture', 'capture', 'hold']);
    // Nothing tells an operator to charge it by hand: it was charged.
    expect(log.errors()).toEqual([]);
  });

  it('a hold that expired first: not charged, and the log says so (never "will expire")', async () => {
    const { capture, log } = await paymentWith({
      capture: [refused('HOLD_EXPIRED')],
      hold: [{ ...HOLD, status: 'EXPIRED' }],
    });
    await expect(capture()).resolves.toEqual({ status: 'WAIVED' });
    expect(log.errors().map((line) => line.msg)).toEqual([
      'call not charged: its hold was released before the capture (the ledger says so)',
    ]);
  });

  it('an outcome nobody can confirm: PENDING, and retried until the wallet answers', async () => {
    const { capture, late, followUps, log } = await paymentWith({
      capture: [unreachable(), unreachable(), unreachable(), unreachable(), captured('90')],
    });
    await expect(capture()).resolves.toEqual({ status: 'PENDING', amount: 90n });
    expect(log.errors().map((line) => line.msg)).toEqual([
      'capture not confirmed by the wallet; retrying it until the hold expires',
    ]);
    await eventually('the capture is confirmed late', () => late[0], { timeoutMs: 5_000 });
    expect(late.map(([request, amount]) => [request.idempotencyKey, amount])).toEqual([
      [expect.stringMatching(/^capture:hold:/), 90n],
    ]);
    expect(followUps.waiting).toBe(0);
  });
});
