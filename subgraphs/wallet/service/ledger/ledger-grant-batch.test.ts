import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../lib/db/index.js';
import { actor, outcomeOf, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { createLedger, type Ledger } from './ledger.js';

/**
 * Grants running at once share statements (group commit, decision 88): the first goes alone, those
 * that arrive while it is written go together as one read of their keys and one write. Each keeps
 * its own key's idempotency and its own refusal.
 */
describe.each(STORE_MODES)('grants batched together (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  let ledger: Ledger;
  /** Statements the ledger under test sent (outside transactions). */
  let statements = 0;
  beforeAll(() => {
    // A ledger of its own over a handle that counts statements, so batching shows in the count.
    const counting = new Proxy(h.db, {
      get(target, prop, receiver) {
        if (prop === 'query') {
          return (...args: Parameters<Db['query']>) => {
            statements += 1;
            return target.query(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    ledger = createLedger(counting);
  });
  afterEach(async () => {
    await h.expectInvariants();
  });

  const grant = (walletId: string, amount: bigint, key: string, memo: string | null = null) =>
    ledger.grant({ walletId, amount, idempotencyKey: key, memo, actor });
  const posted = async (walletId: string) => (await h.balance(walletId)).posted;
  const grantsOf = async (walletId: string) =>
    (await ledger.reads.transactions(walletId, {}, null, 50))
      .filter((t) => t.kind === 'GRANT')
      .map((t) => t.amount);

  it('writes grants that arrive together, across wallets, in one read and one write', async () => {
    const wallets = await Promise.all([1, 2, 3].map(() => h.fundedWallet(1n)));
    statements = 0;
    // The first goes at once (its replay read and its write); the other five wait and go together.
    const granted = await Promise.all([
      grant(wallets[0]!, 10n, randomUUID()),
      ...wallets.map((w) => grant(w, 100n, randomUUID())),
      grant(wallets[1]!, 7n, randomUUID()),
      grant(wallets[2]!, 5n, randomUUID()),
    ]);
    expect(granted.map((t) => [t.walletId, t.amount])).toEqual([
      [wallets[0], 10n],
      ...wallets.map((w) => [w, 100n]),
      [wallets[1], 7n],
      [wallets[2], 5n],
    ]);
    expect(statements).toBe(4);
    expect(await Promise.all(wallets.map(posted))).toEqual([111n, 108n, 106n]);
  });

  it('answers a key used before with its grant, in a batch, and writes it nothing again', async () => {
    const walletId = await h.fundedWallet(1n);
    const first = await grant(walletId, 50n, 'pi_again');
    const [, again, other] = await Promise.all([
      grant(walletId, 1n, randomUUID()),
      grant(walletId, 50n, 'pi_again'),
      grant(walletId, 2n, randomUUID()),
    ]);
    expect(again).toEqual(first);
    expect(other!.amount).toBe(2n);
    expect(await posted(walletId)).toBe(54n);
    expect(await grantsOf(walletId)).toEqual([2n, 1n, 50n, 1n]);
  });

  it('grants a payment named twice in one batch once, and writes the rest together', async () => {
    const walletId = await h.fundedWallet(1n);
    statements = 0;
    const [, a, b, ...others] = await Promise.all([
      grant(walletId, 1n, randomUUID()),
      grant(walletId, 30n, 'pi_twice'),
      grant(walletId, 30n, 'pi_twice'),
      grant(walletId, 2n, randomUUID()),
      grant(walletId, 3n, randomUUID()),
    ]);
    expect(a!.id).toBe(b!.id);
    expect(others.map((t) => t.amount)).toEqual([2n, 3n]);
    // The first alone (2), the batch's distinct keys (a read and a write), the repeat's replay.
    expect(statements).toBe(5);
    expect(await posted(walletId)).toBe(37n);
    expect(await grantsOf(walletId)).toEqual([3n, 2n, 30n, 1n, 1n]);
  });

  it('refuses only the bad grant of a batch; the others are granted', async () => {
    const walletId = await h.fundedWallet(1n);
    await grant(walletId, 40n, 'pi_used');
    const outcomes = await Promise.all([
      outcomeOf(grant(walletId, 1n, randomUUID())),
      outcomeOf(grant(walletId, 41n, 'pi_used')), // the key stands for 40: a conflict
      outcomeOf(grant(walletId, 0n, randomUUID())), // refused before it is queued
      outcomeOf(grant(walletId, 3n, randomUUID())),
    ]);
    expect(outcomes.map((o) => o.code)).toEqual([
      'OK',
      'IDEMPOTENCY_CONFLICT',
      'BAD_USER_INPUT',
      'OK',
    ]);
    expect(await posted(walletId)).toBe(45n);
  });

  it("opens a new wallet's account in a batch, and pays what a wallet owes first", async () => {
    const fresh = randomUUID();
    const owing = await h.fundedWallet(10n);
    await ledger.debit({ walletId: owing, amount: 25n, idempotencyKey: randomUUID(), actor });
    const [before] = await ledger.reads.balances([owing]);
    expect(before!.owed).toBe(15n);
    await Promise.all([
      grant(owing, 1n, randomUUID()),
      grant(fresh, 20n, randomUUID()),
      grant(owing, 20n, randomUUID()),
      grant(owing, 4n, randomUUID()),
    ]);
    expect(await posted(fresh)).toBe(20n);
    const [after] = await ledger.reads.balances([owing]);
    expect({ posted: after!.posted, owed: after!.owed }).toEqual({ posted: 10n, owed: 0n });
  });
});
