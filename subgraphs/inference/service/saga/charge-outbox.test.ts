import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { Db } from '../../../../lib/db/index.js';
import { createServiceClient } from '../../../../lib/service-client.js';
import { eventually } from '../../../../test/support/eventually.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import {
  inferenceWalletClient,
  startWallet,
  type RunningWallet,
} from '../../../../test/support/wallet-subgraph.js';
import { createWalletClient, type WalletClient } from '../../clients/wallet-client.js';
import { INFERENCE_PRINCIPAL, INFERENCE_SCHEMA, prepareInferenceStore } from '../../server.js';
import { createChargeOutbox, retryDelayMs, type PendingCharge } from './charge-outbox.js';

/** Nothing listens here: a wallet that never answers. */
const NOWHERE = 'http://127.0.0.1:9/graphql';
const actor = 'test:charge-outbox';

/*
 * The charge outbox against the real wallet subgraph over HTTP, on both store modes: what it
 * records, what its retrier sends, and what it keeps when the wallet refuses or stays away.
 */
describe.each(STORE_MODES)('the charge outbox (%s stores)', (mode) => {
  let running: RunningWallet;
  let database: TestDatabase;
  let db: Db;
  let closeClient: (() => Promise<void>) | undefined;
  let wallet: WalletClient;
  let registry: Registry;
  let charged: Array<[PendingCharge, bigint]>;
  const log = createRecordingLogger();

  const outboxWith = (options: { wallet?: WalletClient; db?: Db; registry?: Registry } = {}) =>
    createChargeOutbox({
      db: options.db ?? db,
      wallet: options.wallet ?? wallet,
      logger: log.logger,
      registry: options.registry ?? registry,
      onCharged: (charge, amount) => charged.push([charge, amount]),
      timing: { firstRetryMs: 0, pollMs: 20 },
    });
  /** A funded wallet with one open hold of `amount`. */
  const holdOf = async (amount: bigint) => {
    const walletId = randomUUID();
    await running.ledger.grant({ walletId, amount: 10_000n, idempotencyKey: 'grant', actor });
    const hold = await running.ledger.authorizeHold({
      walletId,
      amount,
      idempotencyKey: 'hold',
      expiresInSeconds: 600,
      actor,
    });
    return { walletId, holdId: hold.id };
  };
  const captureOf = (teamId: string, holdId: string, amount: bigint): PendingCharge => ({
    teamId,
    kind: 'CAPTURE',
    holdId,
    amount,
    idempotencyKey: `capture:${holdId}`,
    usage: { inputTokens: 10, outputTokens: 20, modelId: 'local/echo-chat', priceVersion: 1 },
    requestId: `request-${holdId}`,
  });
  const outboxRows = async () =>
    (
      await db.query<{ attempts: number; last_error: string | null; failed: boolean }>(
        'SELECT attempts, last_error, failed_at IS NOT NULL AS failed FROM charge_outbox',
      )
    ).rows;
  const counted = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels, v.value]);

  beforeAll(async () => {
    running = await startWallet(mode);
    database = await createTestDatabase(mode);
    db = await database.open(INFERENCE_SCHEMA);
    await prepareInferenceStore(db);
    ({ wallet, close: closeClient } = await inferenceWalletClient(running, 2_000));
  });
  afterAll(async () => {
    await closeClient?.();
    await database?.drop();
    await running?.stop();
  });
  beforeEach(async () => {
    registry = new Registry();
    charged = [];
    log.lines.length = 0;
    await db.query('DELETE FROM charge_outbox');
  });

  it('keeps one row for a charge recorded twice', async () => {
    const outbox = outboxWith();
    const charge = captureOf(randomUUID(), randomUUID(), 300n);
    await outbox.record(charge);
    await outbox.record({ ...charge, requestId: 'a retry of the same call' });
    expect(await outboxRows()).toEqual([{ attempts: 0, last_error: null, failed: false }]);
    expect(await counted('inference_charge_outbox_pending')).toEqual([[{}, 1]]);
  });

  it('its retrier captures what the saga could not, deletes the row and counts the charge', async () => {
    const { walletId, holdId } = await holdOf(500n);
    const outbox = outboxWith();
    await outbox.record(captureOf(walletId, holdId, 300n));
    outbox.start();
    try {
      await eventually(
        'the outbox is empty',
        async () => ((await outboxRows()).length === 0 ? true : undefined),
        { timeoutMs: 10_000 },
      );
    } finally {
      await outbox.stop();
    }
    const [hold] = await running.ledger.reads.holdsByIds([holdId]);
    expect(hold).toMatchObject({ status: 'CAPTURED', capturedAmount: 300n });
    expect((await running.ledger.reads.balances([walletId]))[0]).toMatchObject({ posted: 9_700n });
    expect(charged.map(([charge, amount]) => [charge.holdId, amount])).toEqual([[holdId, 300n]]);
    expect(await counted('inference_charge_outbox_recovered_total')).toEqual([
      [{ charged_by: 'CAPTURE' }, 1],
    ]);
  });

  it('a capture that did commit (its answer lost) is confirmed, never charged twice', async () => {
    const { walletId, holdId } = await holdOf(500n);
    const charge = captureOf(walletId, holdId, 300n);
    await wallet.capture(charge);
    const outbox = outboxWith();
    await outbox.record(charge);
    expect(await outbox.drain()).toBe(1);
    expect(await outboxRows()).toEqual([]);
    expect((await running.ledger.reads.balances([walletId]))[0]).toMatchObject({ posted: 9_700n });
    expect(charged.map(([, amount]) => amount)).toEqual([300n]);
  });

  it('a charge the wallet refuses for good is kept as failed, logged, counted, and not resent', async () => {
    const outbox = outboxWith();
    await outbox.record(captureOf(randomUUID(), randomUUID(), 300n));
    await outbox.drain();
    expect(await outboxRows()).toEqual([
      { attempts: 1, last_error: expect.stringMatching(/^NOT_FOUND: /), failed: true },
    ]);
    expect(log.errors().map((line) => [line.msg, line.code])).toEqual([
      ['charge refused by the wallet: kept in the outbox as failed, not sent again', 'NOT_FOUND'],
    ]);
    expect(await counted('inference_charge_outbox_failed_total')).toEqual([
      [{ code: 'NOT_FOUND' }, 1],
    ]);
    expect(await counted('inference_charge_outbox_pending')).toEqual([[{}, 0]]);
    await db.query('UPDATE charge_outbox SET next_attempt_at = now()');
    expect(await outbox.drain()).toBe(0);
    expect(charged).toEqual([]);
  });

  it('an unreachable wallet: the charge waits longer after each failed send, and is kept', async () => {
    const away = createServiceClient({
      signer: { sign: async () => 'unused' } as never,
      principal: INFERENCE_PRINCIPAL('default'),
      timeoutMs: 1_000,
    });
    const outbox = createChargeOutbox({
      db,
      wallet: createWalletClient({ client: away, walletUrl: NOWHERE }),
      logger: log.logger,
      registry,
      onCharged: () => undefined,
      timing: { firstRetryMs: 1_000, maxRetryMs: 60_000 },
    });
    const waits: number[] = [];
    try {
      await outbox.record(captureOf(randomUUID(), randomUUID(), 300n));
      for (let send = 1; send <= 3; send += 1) {
        await db.query('UPDATE charge_outbox SET next_attempt_at = now()');
        expect(await outbox.drain()).toBe(1);
        const { rows } = await db.query<{ wait: number }>(
          'SELECT round(extract(epoch FROM next_attempt_at - now()))::int AS wait FROM charge_outbox',
        );
        waits.push(rows[0]!.wait);
      }
    } finally {
      await away.close();
    }
    expect(waits).toEqual([1, 2, 4]);
    expect(await outboxRows()).toEqual([
      { attempts: 3, last_error: expect.stringContaining('unreachable'), failed: false },
    ]);
    expect(log.errors()).toEqual([]);
  });

  it('replicas share the rows: each charge is sent by one of them, once', async () => {
    const holds = await Promise.all(Array.from({ length: 12 }, () => holdOf(500n)));
    const sent: string[] = [];
    const watched: WalletClient = {
      ...wallet,
      capture: (request) => {
        sent.push(request.holdId);
        return wallet.capture(request);
      },
    };
    const otherDb = await database.open(INFERENCE_SCHEMA);
    const replicas = [
      outboxWith({ wallet: watched }),
      outboxWith({ wallet: watched, db: otherDb, registry: new Registry() }),
    ];
    await Promise.all(holds.map((h) => replicas[0]!.record(captureOf(h.walletId, h.holdId, 100n))));
    const claimed = await Promise.all(replicas.map((r) => r.drain()));
    expect(claimed[0]! + claimed[1]!).toBe(12);
    expect(sent.sort()).toEqual(holds.map((h) => h.holdId).sort());
    expect(await outboxRows()).toEqual([]);
    expect(charged).toHaveLength(12);
  });

  it('charges a capture whose hold expired first with a spend under its key, exactly once', async () => {
    const { walletId, holdId } = await holdOf(300n);
    const posted = async () => (await running.ledger.reads.balances([walletId]))[0]!.posted;
    const before = await posted();
    // Past the hold's expiry by the ledger's clock: the capture is refused HOLD_EXPIRED.
    await running.db.query('INSERT INTO clock_offset (seconds) VALUES (700)');
    try {
      const outbox = outboxWith();
      const charge = captureOf(walletId, holdId, 250n);
      await outbox.record(charge);
      expect([await outbox.drain(), await outbox.drain()]).toEqual([1, 0]);
      expect(before - (await posted())).toBe(250n);
      expect(charged.map(([c, amount]) => [c.idempotencyKey, amount])).toEqual([
        [charge.idempotencyKey, 250n],
      ]);
      expect(await outboxRows()).toEqual([]);
      expect(await counted('inference_charge_outbox_recovered_total')).toEqual([
        [{ charged_by: 'SPEND' }, 1],
      ]);
    } finally {
      await running.db.query('DELETE FROM clock_offset');
    }
  });
});

it('waits 1 s after the first failed send, doubling up to 60 s', () => {
  const timing = { pollMs: 1_000, firstRetryMs: 1_000, maxRetryMs: 60_000, claimMs: 60_000 };
  expect([1, 2, 3, 6, 7, 30].map((attempts) => retryDelayMs(attempts, timing))).toEqual([
    1_000, 2_000, 4_000, 32_000, 60_000, 60_000,
  ]);
});
