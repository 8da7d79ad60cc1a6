import { randomUUID } from 'node:crypto';
import { expectLedgerInvariants } from '../../../../test/support/ledger-invariants.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import {
  inferenceWalletClient,
  startWallet,
  type RunningWallet,
} from '../../../../test/support/wallet-subgraph.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import { createCreditLeases, type CreditLeases } from './credit-leases.js';

const actor = 'test:lease-replicas';
const CREDITS = 100_000n;
const BUDGET = 6_000n;
const WORST_CASE = 500n;
const COST = 400n;
const CALLS = 40;

/*
 * Two inference replicas, each with its own credit leases, against one real wallet subgraph over
 * HTTP (both store modes): the team's monthly budget holds across them, however their leases
 * interleave, because every lease is a hold the ledger sized within the budget.
 */
describe.each(STORE_MODES)('credit leases of two replicas under one budget (%s stores)', (mode) => {
  let running: RunningWallet;
  let closeClient: (() => Promise<void>) | undefined;
  let wallet: WalletClient;

  beforeAll(async () => {
    running = await startWallet(mode);
    ({ wallet, close: closeClient } = await inferenceWalletClient(running, 5_000));
  });
  afterAll(async () => {
    await closeClient?.();
    await running?.stop();
  });

  it('never charges past the budget, charges every served call exactly, and returns every lease', async () => {
    const teamId = randomUUID();
    await running.ledger.grant({ walletId: teamId, amount: CREDITS, idempotencyKey: 'g', actor });
    await running.ledger.setBudget({ walletId: teamId, monthlyLimit: BUDGET, alertThresholds: [] });
    const replicas: CreditLeases[] = [0, 1].map(() =>
      createCreditLeases({
        wallet,
        settings: { calls: 4, serveSeconds: 60, idleMs: 50 },
        logger: createRecordingLogger().logger,
      }),
    );

    // One call: a slice of a lease of its replica's, then its cost spent against that lease.
    const call = async (n: number) => {
      const slice = await replicas[n % 2]!.reserve(teamId, {
        amount: WORST_CASE,
        holdTtlSeconds: 600,
        requestId: `call-${n}`,
      });
      const [spent] = await wallet.spend(
        [
          {
            holdId: slice.holdId,
            amount: COST,
            idempotencyKey: `spend:${n}`,
            usage: { inputTokens: 100, outputTokens: 150, modelId: 'm', priceVersion: 1 },
          },
        ],
        `call-${n}`,
      );
      slice.settle(COST);
      return spent;
    };
    const outcomes = await Promise.allSettled(Array.from({ length: CALLS }, (_, n) => call(n)));

    const served = outcomes.filter((o) => o.status === 'fulfilled');
    const refusals = outcomes.flatMap((o) =>
      o.status === 'rejected'
        ? [(o.reason as { extensions?: { code?: string } }).extensions?.code]
        : [],
    );
    expect(served.length).toBeGreaterThan(0);
    expect(new Set(refusals)).toEqual(new Set(refusals.length ? ['BUDGET_EXCEEDED'] : []));
    for (const o of served) {
      expect((o as PromiseFulfilledResult<{ excessAmount: string }>).value.excessAmount).toBe('0');
    }

    await Promise.all(replicas.map((r) => r.close()));
    const [after] = await running.ledger.reads.balances([teamId]);
    const charged = COST * BigInt(served.length);
    expect(after).toMatchObject({
      posted: CREDITS - charged,
      held: 0n,
      owed: 0n,
      monthToDateSpend: charged,
    });
    expect(charged).toBeLessThanOrEqual(BUDGET);
    console.info(
      `[lease replicas, ${mode}] ${served.length} of ${CALLS} calls served, ${charged} of a ${BUDGET} budget charged`,
    );
    await expectLedgerInvariants(running.db);
  });
});
