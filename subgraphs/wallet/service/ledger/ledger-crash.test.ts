import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { actor, useLedgerHarness } from '../../../../test/support/ledger-harness.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';

const HOLD_THEN_DIE = fileURLToPath(
  new URL('../../../../test/support/hold-then-die.ts', import.meta.url),
);
const GRANT = 1000n;
const HELD = 400n;
/** What another replica charged against the hold (a credit lease) before it expired. */
const SPENT = 150n;
const EXPIRES_IN_SECONDS = 2;

if (!STORE_MODES.includes('real')) {
  console.warn(
    '[ledger-crash] Not run: the hold made by a process killed with SIGKILL (it needs a real ' +
      'PostgreSQL that two processes share; set DATABASE_URL and REDIS_URL). ' +
      'The embedded variant, an abandoned hold, still runs.',
  );
}

/** Starts hold-then-die.ts on `url`; resolves with the hold id it prints, once it has printed it. */
function holdInDyingProcess(url: string, walletId: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', HOLD_THEN_DIE, url, walletId, String(HELD), String(EXPIRES_IN_SECONDS)],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const holdId = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`hold-then-die printed no hold within 20 s; stderr:\n${stderr}`)),
      20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const id = /^hold (\S+)$/m.exec(stdout)?.[1];
      if (id) {
        clearTimeout(timer);
        resolve(id);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hold-then-die exited (${code ?? signal}) first; stderr:\n${stderr}`));
    });
  });
  return { child, holdId, exited };
}

describe.each(STORE_MODES)('a replica that dies between hold and capture (%s database)', (mode) => {
  const h = useLedgerHarness(mode);
  let child: ChildProcess | undefined;
  afterEach(async () => {
    // Should the test fail before its kill, the child must not outlive it.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await h.resetClock();
    await h.voidOpenHolds();
  });

  const title =
    mode === 'real'
      ? 'the hold of a process killed with SIGKILL expires and what is left of it is released exactly once'
      : 'an abandoned hold expires and what is left of it is released exactly once';

  it(title, async () => {
    const walletId = await h.fundedWallet(GRANT);
    const before = await h.transferCount(walletId);

    let holdId: string;
    if (mode === 'real') {
      const dying = holdInDyingProcess(h.url as string, walletId);
      child = dying.child;
      holdId = await dying.holdId;
      child.kill('SIGKILL');
      expect(await dying.exited).toEqual({ code: null, signal: 'SIGKILL' });
    } else {
      // An in-memory PGlite lives inside this process's memory: another process cannot open the
      // same database, so there is nothing to kill. The hold is made here and then abandoned
      // (never captured or voided), which is what the database sees of a dead replica.
      const held = await h.ledgers[0]!.authorizeHold({
        walletId,
        amount: HELD,
        idempotencyKey: `crash-${walletId}`,
        expiresInSeconds: EXPIRES_IN_SECONDS,
        actor,
      });
      holdId = held.id;
    }

    const [held] = await h.ledgers[0]!.reads.holdsByIds([holdId]);
    expect(held).toMatchObject({ walletId, amount: HELD, status: 'PENDING' });
    const { rows: made } = await h.db.query<{ created_by: string }>(
      'SELECT created_by FROM transfers WHERE id = $1',
      [holdId],
    );
    expect(made[0]?.created_by).toBe(mode === 'real' ? 'test:hold-then-die' : actor);
    expect(await h.balance(walletId)).toEqual({
      posted: GRANT,
      held: HELD,
      available: GRANT - HELD,
    });

    // Another replica charges a call against the hold, as against a credit lease.
    const spent = await h.ledgers[0]!.spendFromHold({
      holdId,
      amount: SPENT,
      idempotencyKey: `spend-${holdId}`,
      actor,
    });
    expect(spent).toMatchObject({ amount: SPENT, excessAmount: 0n });

    await h.advanceClock(EXPIRES_IN_SECONDS + 1);
    expect(await h.ledgers[0]!.sweepExpired()).toBe(1);
    expect(await h.ledgers[0]!.sweepExpired()).toBe(0);

    expect((await h.ledgers[0]!.reads.holdsByIds([holdId]))[0]).toMatchObject({
      status: 'EXPIRED',
      spentAmount: SPENT,
    });
    expect(await h.resolutionsOf(holdId)).toEqual(['EXPIRE']);
    const left = GRANT - SPENT;
    expect(await h.balance(walletId)).toEqual({ posted: left, held: 0n, available: left });
    expect(await h.transferCount(walletId)).toBe(before + 3);
    const latest = await h.ledgers[0]!.reads.transactions(walletId, {}, null, 3);
    expect(latest.map((t) => [t.kind, t.pendingId ?? t.id, t.released])).toEqual([
      ['EXPIRE', holdId, HELD - SPENT],
      ['SPEND', holdId, 0n],
      ['HOLD', holdId, 0n],
    ]);
    expect(await h.ledgers[0]!.reads.countTransactions(walletId, { kinds: ['CAPTURE'] })).toBe(0);
    await h.expectInvariants();
  });
});
