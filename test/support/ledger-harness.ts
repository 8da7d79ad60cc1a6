import { expectLedgerInvariants } from './ledger-invariants.js';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/db/index.js';
import { createLedger, type Ledger } from '../../subgraphs/wallet/service/ledger/ledger.js';
import type { TransferKind } from '../../subgraphs/wallet/store/transfer-rows.js';
import { WALLET_SCHEMA, prepareWalletStore } from '../../subgraphs/wallet/server.js';
import { createTestDatabase, type TestDatabase } from './stores.js';
import { suiteResource } from './suite-resource.js';
import type { StoreMode } from './test-env.js';

export const actor = 'test';

/** What a ledger call ended with: OK, or its error's code and figures. */
export interface Outcome {
  code: string;
  extensions: Record<string, unknown>;
}

export async function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return { code: 'OK', extensions: {} };
  } catch (error) {
    const extensions = (error as { extensions?: Record<string, unknown> }).extensions;
    // An error without a code is a fault, not an outcome: show it whole in the failure.
    return { code: String(extensions?.code ?? error), extensions: extensions ?? {} };
  }
}

/** How many calls ended with each code, e.g. `{ OK: 33, INSUFFICIENT_FUNDS: 17 }`. */
export const tally = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>((counts, { code }) => {
    counts[code] = (counts[code] ?? 0) + 1;
    return counts;
  }, {});

export interface LedgerHarness {
  db: Db;
  /** The PostgreSQL URL of the harness's database, for another process; undefined for embedded. */
  url: string | undefined;
  /**
   * One ledger per "replica": on real PostgreSQL two handles with pools of their own, so racing
   * calls really run at once on different connections; embedded PGlite has one (its only
   * connection is a queue, so its races are interleavings of whole statements).
   */
  ledgers: Ledger[];
  /** The first of `ledgers`, for tests that use one. */
  ledger: Ledger;
  /** The ledger of replica `i % ledgers.length`. */
  replica(i: number): Ledger;
  /** A new wallet granted `amount`. */
  fundedWallet(amount: bigint): Promise<string>;
  /** Moves the ledger clock (ledger_now()) forward; resetClock() puts it back. */
  advanceClock(seconds: number): Promise<void>;
  resetClock(): Promise<void>;
  transferCount(walletId?: string): Promise<number>;
  /** Kinds of the transfers that resolved a hold (CAPTURE, VOID, EXPIRE). */
  resolutionsOf(holdId: string): Promise<TransferKind[]>;
  balance(walletId: string): Promise<{ posted: bigint; held: bigint; available: bigint }>;
  /** Every invariant of checkLedgerInvariants must hold. */
  expectInvariants(): Promise<void>;
  /** Voids holds a test left open, so that no later test's sweep counts them. */
  voidOpenHolds(): Promise<void>;
  close(): Promise<void>;
}

export async function openLedgerHarness(mode: StoreMode): Promise<LedgerHarness> {
  const database: TestDatabase = await createTestDatabase(mode);
  const db = await database.open(WALLET_SCHEMA);
  await prepareWalletStore(db);
  const handles = mode === 'real' ? [db, await database.open(WALLET_SCHEMA)] : [db];
  const ledgers = handles.map(createLedger);
  const [ledger] = ledgers as [Ledger];

  return {
    db,
    url: database.url,
    ledgers,
    ledger,
    replica: (i) => ledgers[i % ledgers.length] as Ledger,
    async fundedWallet(amount) {
      const walletId = randomUUID();
      await ledger.grant({ walletId, amount, idempotencyKey: `fund-${walletId}`, actor });
      return walletId;
    },
    async advanceClock(seconds) {
      await db.query('INSERT INTO clock_offset (seconds) VALUES ($1)', [seconds]);
    },
    async resetClock() {
      await db.query('DELETE FROM clock_offset');
    },
    async transferCount(walletId) {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM transfers WHERE $1::uuid IS NULL OR wallet_id = $1',
        [walletId ?? null],
      );
      return Number(rows[0]?.n);
    },
    async resolutionsOf(holdId) {
      const { rows } = await db.query<{ kind: TransferKind }>(
        `SELECT kind FROM transfers WHERE pending_id = $1 AND kind IN ('CAPTURE', 'VOID', 'EXPIRE')`,
        [holdId],
      );
      return rows.map((r) => r.kind);
    },
    async balance(walletId) {
      const [row] = await ledger.reads.balances([walletId]);
      return { posted: row!.posted, held: row!.held, available: row!.available };
    },
    async expectInvariants() {
      await expectLedgerInvariants(db);
    },
    async voidOpenHolds() {
      const { rows } = await db.query<{ hold_id: string }>('SELECT hold_id FROM open_holds');
      for (const { hold_id } of rows) await ledger.voidHold({ holdId: hold_id, actor });
    },
    close: () => database.drop(),
  };
}

/** A ledger harness opened for the enclosing describe block (see suiteResource). */
export const useLedgerHarness = (mode: StoreMode): LedgerHarness =>
  suiteResource(
    () => openLedgerHarness(mode),
    (harness) => harness.close(),
  );
