import { GraphQLError } from 'graphql';
import { Registry } from 'prom-client';
import type { Db } from '../../../../lib/db/index.js';
import { ServiceUnavailableError } from '../../../../lib/service-client.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import type {
  HoldRef,
  HoldSpendRef,
  SpendRequest,
  WalletClient,
} from '../../clients/wallet-client.js';
import { INFERENCE_SCHEMA, prepareInferenceStore } from '../../server.js';
import { createChargeOutbox, type PendingCharge } from './charge-outbox.js';
import { reserveCredits } from './payment.js';
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

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase('embedded');
  db = await database.open(INFERENCE_SCHEMA);
  await prepareInferenceStore(db);
});
afterAll(() => database?.drop());
beforeEach(() => db.query('DELETE FROM charge_outbox'));

async function paymentWith(script: Parameters<typeof scriptedWallet>[0], outboxDb = db) {
  const { wallet, calls } = scriptedWallet(script);
  const log = createRecordingLogger();
  const late: Array<[PendingCharge, bigint]> = [];
  const outbox = createChargeOutbox({
    db: outboxDb,
    wallet,
    logger: log.logger,
    registry: new Registry(),
    onCharged: (charge, amount) => late.push([charge, amount]),
    timing: { firstRetryMs: 0 },
  });
  const spends: SpendRequest[] = [];
  // Spends (charges beyond a hold) are answered as the ledger would: all of it beyond, none owed.
  const spend = async (request: SpendRequest): Promise<HoldSpendRef> => {
    spends.push(request);
    const amount = request.amount.toString();
    return { id: 'spend-1', amount, excessAmount: amount, owedAmount: '0' };
  };
  const deps = { wallet, spend, chargeOutbox: outbox, now: Date.now } as unknown as SagaDeps;
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
  return { capture, calls, log, late, outbox, spends };
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

  it('a hold that expired first: the served call is charged beyond it, under the capture key', async () => {
    const { capture, log, spends } = await paymentWith({
      capture: [refused('HOLD_EXPIRED')],
      hold: [{ ...HOLD, status: 'EXPIRED' }],
    });
    await expect(capture()).resolves.toEqual({ status: 'CHARGED', amount: 90n, owed: 0n });
    expect(spends).toEqual([
      expect.objectContaining({
        holdId: HOLD.id,
        amount: 90n,
        idempotencyKey: expect.stringMatching(/^capture:hold:/),
      }),
    ]);
    expect(log.errors()).toEqual([]);
  });

  it('an outcome nobody can confirm: PENDING, once the charge outbox holds the capture', async () => {
    const { capture, late, outbox, log } = await paymentWith({
      capture: [unreachable(), unreachable(), unreachable(), unreachable(), captured('90')],
    });
    await expect(capture()).resolves.toEqual({ status: 'PENDING', amount: 90n });
    const { rows } = await db.query('SELECT team_id, kind, hold_id, amount FROM charge_outbox');
    expect(rows).toEqual([{ team_id: 't', kind: 'CAPTURE', hold_id: HOLD.id, amount: '90' }]);
    expect(log.errors()).toEqual([]);
    // The outbox sends the very capture the saga asked for, and counts it once confirmed.
    await outbox.drain();
    expect(late.map(([charge, amount]) => [charge.idempotencyKey, amount])).toEqual([
      [expect.stringMatching(/^capture:hold:/), 90n],
    ]);
    expect((await db.query('SELECT id FROM charge_outbox')).rows).toEqual([]);
  });

  it('an outcome nobody can confirm nor record: the call fails, and the log says why', async () => {
    const lost = await createTestDatabase('embedded');
    const lostDb = await lost.open(INFERENCE_SCHEMA);
    await lost.drop();
    const { capture, log } = await paymentWith({ capture: [unreachable()] }, lostDb);
    await expect(capture()).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(log.errors().map((line) => line.msg)).toEqual([
      'charge not recorded in the outbox: call refused; its hold may have been charged, or expires',
    ]);
  });
});
