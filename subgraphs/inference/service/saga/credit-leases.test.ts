import { GraphQLError } from 'graphql';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import type { HoldRef, WalletClient } from '../../clients/wallet-client.js';
import { createCreditLeases, type LeaseSettings } from './credit-leases.js';

/**
 * A wallet stand-in with `available` credits that grants holds as the ledger does (between the
 * minimum and the amount asked, within what is available) and returns voided holds' credits. The
 * ledger itself is tested against real databases in subgraphs/wallet; here only the lease
 * bookkeeping matters.
 */
function walletWith(available: bigint, voidDelayMs = 0) {
  const holds = new Map<string, bigint>();
  const calls = { authorize: 0, void: 0 };
  let room = available;
  const wallet = {
    async authorize(input: { amount: bigint; minimumAmount?: bigint }): Promise<HoldRef> {
      calls.authorize += 1;
      await new Promise((r) => setTimeout(r, 5));
      const minimum = input.minimumAmount ?? input.amount;
      if (room < minimum) {
        throw new GraphQLError('Not enough credits.', {
          extensions: { code: 'INSUFFICIENT_FUNDS' },
        });
      }
      const amount = room < input.amount ? room : input.amount;
      room -= amount;
      const id = `hold-${holds.size + 1}`;
      holds.set(id, amount);
      return {
        id,
        status: 'PENDING',
        amount: amount.toString(),
        capturedAmount: null,
        owedAmount: null,
        expiresAt: new Date(Date.now() + 700_000).toISOString(),
      };
    },
    async void(holdId: string) {
      calls.void += 1;
      await new Promise((r) => setTimeout(r, voidDelayMs));
      room += holds.get(holdId) ?? 0n;
      holds.delete(holdId);
    },
  } as unknown as WalletClient;
  return { wallet, calls, room: () => room };
}

const SETTINGS: LeaseSettings = { calls: 10, serveSeconds: 60, idleMs: 50 };
const call = { amount: 100n, holdTtlSeconds: 600, requestId: 'r' };

function leasesOn(wallet: WalletClient, settings = SETTINGS) {
  return createCreditLeases({ wallet, settings, logger: createRecordingLogger().logger });
}

describe('credit leases', () => {
  it('takes one lease for many concurrent calls and lends each its worst case from it', async () => {
    const { wallet, calls, room } = walletWith(1_000_000n);
    const leases = leasesOn(wallet);
    const slices = await Promise.all(Array.from({ length: 10 }, () => leases.reserve('t', call)));
    expect(calls.authorize).toBe(1);
    expect(new Set(slices.map((s) => s.holdId)).size).toBe(1);
    expect(room()).toBe(1_000_000n - 1_000n);
    // The eleventh call finds the lease full and takes a second one.
    await leases.reserve('t', call);
    expect(calls.authorize).toBe(2);
    await leases.close();
  });

  it('lends a nearly empty wallet exactly what it has and refuses the calls beyond it', async () => {
    const { wallet } = walletWith(250n);
    const leases = leasesOn(wallet);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => leases.reserve('t', call)),
    );
    const lent = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(lent).toHaveLength(2);
    expect(refused).toHaveLength(3);
    expect((refused[0] as PromiseRejectedResult).reason.extensions.code).toBe('INSUFFICIENT_FUNDS');
    // A settled call frees what it did not spend: 250 - 40 - 100 leaves room for one more.
    (lent[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof leases.reserve>>>).value.settle(
      40n,
    );
    await expect(leases.reserve('t', call)).resolves.toMatchObject({ amount: 100n });
    await expect(leases.reserve('t', call)).rejects.toThrow('Not enough credits.');
    await leases.close();
  });

  it('returns an idle lease to the wallet once its calls have settled, and keeps a busy one', async () => {
    const { wallet, calls, room } = walletWith(10_000n);
    const leases = leasesOn(wallet);
    const busy = await leases.reserve('t', call);
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.void).toBe(0);
    busy.settle(60n);
    busy.settle(60n); // a second settle of one slice changes nothing
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.void).toBe(1);
    expect(leases.held).toBe(0);
    // The fake returns the whole hold; the real ledger keeps what was spent.
    expect(room()).toBe(10_000n);
    await leases.close();
  });

  it('never voids a lease a charge of which waits in the outbox: it is left to expire', async () => {
    const { wallet, calls } = walletWith(10_000n);
    const leases = leasesOn(wallet);
    const slice = await leases.reserve('t', call);
    slice.settle(60n);
    slice.pin();
    await new Promise((r) => setTimeout(r, 150));
    await leases.close();
    expect(calls.void).toBe(0);
  });

  it('takes a new lease for a call the current one would not outlive', async () => {
    const { wallet, calls } = walletWith(1_000_000n);
    const leases = leasesOn(wallet);
    await leases.reserve('t', call);
    // A call whose hold must live longer than the lease has left.
    await leases.reserve('t', { ...call, holdTtlSeconds: 690 });
    expect(calls.authorize).toBe(2);
    await leases.close();
  });

  it('waits on close for a return the idle timer had begun', async () => {
    const { wallet, calls, room } = walletWith(10_000n, 300);
    const leases = leasesOn(wallet);
    (await leases.reserve('t', call)).settle(0n);
    // The timer finds the lease idle and starts voiding it; the void takes 300 ms.
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.void).toBe(1);
    expect(room()).toBeLessThan(10_000n);
    await leases.close();
    // Whoever reads the wallet after close (a replica's shutdown, a test) sees the lease back.
    expect(room()).toBe(10_000n);
  });

  it('voids every unused lease on close', async () => {
    const { wallet, calls } = walletWith(1_000_000n);
    const leases = leasesOn(wallet, { ...SETTINGS, idleMs: 60_000 });
    (await leases.reserve('a', call)).release();
    (await leases.reserve('b', call)).release();
    await leases.close();
    expect(calls.void).toBe(2);
  });
});
