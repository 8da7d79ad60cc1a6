import { GraphQLError } from 'graphql';
import { ServiceUnavailableError } from '../../../../lib/service-client.js';
import type {
  HoldRef,
  HoldSpendRef,
  SpendRequest,
  WalletClient,
} from '../../clients/wallet-client.js';
import type { OutboxRow } from '../../store/charge-outbox-rows.js';
import { sendCharges } from './charge-sends.js';

const refused = (code: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(code, { extensions: { ...extensions, code } });
const spent = (amount: string): HoldSpendRef => ({
  id: `spend-${amount}`,
  amount,
  excessAmount: amount,
  owedAmount: '0',
});
const row = (kind: OutboxRow['kind'], holdId: string, amount: bigint): OutboxRow => ({
  id: `row-${holdId}`,
  teamId: 'team',
  kind,
  holdId,
  amount,
  idempotencyKey: `key-${holdId}`,
  usage: { inputTokens: 1, outputTokens: 2, modelId: 'm', priceVersion: 3 },
  requestId: `request-${holdId}`,
  attempts: 1,
});

/**
 * A wallet client answering as its contract says (wallet-client.ts): a capture answers the hold or
 * throws the refusal; a spend call answers each entry, or rejects whole on a transport failure.
 */
function walletAnswering(answers: {
  capture?: (holdId: string) => HoldRef | Error;
  spend?: (request: SpendRequest) => HoldSpendRef | GraphQLError;
  spendCall?: Error;
}) {
  const spendCalls: SpendRequest[][] = [];
  const wallet = {
    capture: async (request: { holdId: string }) => {
      const answer = answers.capture!(request.holdId);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    spend: async (requests: readonly SpendRequest[]) => {
      spendCalls.push([...requests]);
      if (answers.spendCall) throw answers.spendCall;
      return requests.map(answers.spend!);
    },
  } as unknown as WalletClient;
  return { wallet, spendCalls };
}

describe('sending outbox charges to the wallet', () => {
  it('a capture whose hold expired is charged by a spend of the same request and key', async () => {
    const expired = row('CAPTURE', 'h1', 90n);
    const { wallet, spendCalls } = walletAnswering({
      capture: () => refused('HOLD_EXPIRED', { expiredAt: '2030-01-01T00:00:00.000Z' }),
      spend: () => spent('90'),
    });
    expect(await sendCharges(wallet, [expired])).toEqual([
      { status: 'CONFIRMED', amount: 90n, by: 'SPEND' },
    ]);
    expect(spendCalls).toEqual([
      [{ holdId: 'h1', amount: 90n, idempotencyKey: 'key-h1', usage: expired.usage }],
    ]);
  });

  it('a hold released without the capture is charged beyond it; one captured otherwise is refused', async () => {
    const { wallet, spendCalls } = walletAnswering({
      capture: (holdId) =>
        refused('HOLD_ALREADY_RESOLVED', { status: holdId === 'voided' ? 'VOIDED' : 'CAPTURED' }),
      spend: () => spent('5'),
    });
    const outcomes = await sendCharges(wallet, [
      row('CAPTURE', 'voided', 5n),
      row('CAPTURE', 'captured', 5n),
    ]);
    expect(outcomes).toEqual([
      { status: 'CONFIRMED', amount: 5n, by: 'SPEND' },
      { status: 'REFUSED', error: expect.objectContaining({ message: 'HOLD_ALREADY_RESOLVED' }) },
    ]);
    expect(spendCalls.map((call) => call.map((r) => r.holdId))).toEqual([['voided']]);
  });

  it('spends go in one call and are answered each: confirmed, refused for good, or resent', async () => {
    const { wallet, spendCalls } = walletAnswering({
      spend: (request) =>
        ({
          ok: spent('7'),
          conflict: refused('IDEMPOTENCY_CONFLICT'),
          unanswered: refused('INTERNAL_SERVER_ERROR'),
        })[request.holdId]!,
    });
    const outcomes = await sendCharges(wallet, [
      row('SPEND', 'ok', 7n),
      row('SPEND', 'conflict', 7n),
      row('SPEND', 'unanswered', 7n),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['CONFIRMED', 'REFUSED', 'RETRY']);
    expect(spendCalls).toHaveLength(1);
  });

  it('a wallet that cannot be reached: every charge is resent later, none refused', async () => {
    const { wallet } = walletAnswering({
      capture: () => new ServiceUnavailableError('wallet unreachable'),
      spendCall: new ServiceUnavailableError('wallet unreachable'),
    });
    const outcomes = await sendCharges(wallet, [row('CAPTURE', 'a', 1n), row('SPEND', 'b', 1n)]);
    expect(outcomes.map((o) => o.status)).toEqual(['RETRY', 'RETRY']);
  });
});
