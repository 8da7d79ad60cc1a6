import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDb, type Db } from '../lib/db/index.js';
import { checkLedgerInvariants } from '../subgraphs/wallet/store/invariants.js';
import { createLedger, type Ledger } from '../subgraphs/wallet/service/ledger/ledger.js';
import { WALLET_SCHEMA, prepareWalletStore } from '../subgraphs/wallet/server.js';

/*
 * `npm run bench:wallet`: hold+capture pairs per second through the wallet ledger against a real
 * PostgreSQL, on ONE hot wallet and on 100 wallets, each with BENCH_CLIENTS concurrent clients.
 * The ledger is a library: the load runs in this process and calls it directly (no HTTP, no
 * GraphQL), so the figures are the ledger's and the database's, not the subgraph's.
 * The run makes a database of its own on the DATABASE_URL server and drops it at the end.
 */
const SERVER = process.env.DATABASE_URL;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const POOL_SIZE = Number(process.env.BENCH_POOL ?? 32);
const HOLD_AMOUNT = 1000n;
const CAPTURE_AMOUNT = 700n;
// Far more than any run can spend (~1e7 per 10 s at 1,000 pairs/s).
const GRANT = 1_000_000_000_000n;
const actor = 'bench';

if (!SERVER) {
  console.error(
    'bench:wallet needs a PostgreSQL server: DATABASE_URL=postgres://user@host:5432/db npm run bench:wallet\n' +
      '(it creates a database mg_bench_<time> of its own there and drops it at the end)',
  );
  process.exit(2);
}

const admin = async <R extends object>(sql: string): Promise<R[]> => {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
};

/** A database of the run's own on the DATABASE_URL server; `drop` is safe to call twice. */
async function benchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mg_bench_${Date.now()}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER as string);
  url.pathname = `/${name}`;
  let dropped: Promise<unknown> | undefined;
  return {
    url: url.toString(),
    drop: async () => {
      dropped ??= admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropped;
    },
  };
}

/** The same database handle, counting the statements sent through it. */
function countingDb(db: Db): { db: Db; statements: () => number } {
  let count = 0;
  return {
    db: {
      ...db,
      query: (sql, params) => {
        count += 1;
        return db.query(sql, params);
      },
    },
    statements: () => count,
  };
}

interface Result {
  pairs: number;
  pairsPerSecond: number;
  pair: number[];
  hold: number[];
  capture: number[];
  errors: number;
  firstError?: string;
}

let keySeq = 0;

/** CLIENTS loops of hold then capture for `seconds`, each pair on a wallet `pick` chooses. */
async function run(ledger: Ledger, pick: () => string, seconds: number): Promise<Result> {
  const result: Result = {
    pairs: 0,
    pairsPerSecond: 0,
    pair: [],
    hold: [],
    capture: [],
    errors: 0,
  };
  const deadline = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const key = `bench-${(keySeq += 1)}`;
      const started = performance.now();
      try {
        const hold = await ledger.authorizeHold({
          walletId: pick(),
          amount: HOLD_AMOUNT,
          idempotencyKey: key,
          expiresInSeconds: 60,
          actor,
        });
        const held = performance.now();
        await ledger.captureHold({
          holdId: hold.id,
          amount: CAPTURE_AMOUNT,
          idempotencyKey: key,
          actor,
        });
        const done = performance.now();
        result.hold.push(held - started);
        result.capture.push(done - held);
        result.pair.push(done - started);
      } catch (error) {
        result.errors += 1;
        result.firstError ??= String(error);
      }
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = (performance.now() - began) / 1000;
  result.pairs = result.pair.length;
  result.pairsPerSecond = result.pairs / elapsed;
  return result;
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
};
const ms = (values: number[], p: number) => pct(values, p).toFixed(1);

const database = await benchDatabase();
// Ctrl-C must not leave the database behind either.
process.once('SIGINT', () => {
  void database.drop().finally(() => process.exit(130));
});
let db: Db | undefined;
try {
  db = await createDb({ url: database.url, schema: WALLET_SCHEMA, poolSize: POOL_SIZE });
  await prepareWalletStore(db);
  const counted = countingDb(db);
  const ledger = createLedger(counted.db);

  const hot = randomUUID();
  const many = Array.from({ length: 100 }, () => randomUUID());
  for (const walletId of [hot, ...many]) {
    await ledger.grant({ walletId, amount: GRANT, idempotencyKey: 'bench-grant', actor });
  }
  const scenarios: [string, () => string][] = [
    ['1 hot wallet', () => hot],
    ['100 wallets', () => many[Math.floor(Math.random() * many.length)] as string],
  ];

  const [server] = await admin<{ version: string; sync: string }>(
    `SELECT split_part(version(), ' ', 2) AS version, current_setting('synchronous_commit') AS sync`,
  );
  console.log(
    `wallet ledger bench: ${CLIENTS} clients, pool ${POOL_SIZE}, ${SECONDS} s per row after ${WARMUP_SECONDS} s warm-up; ` +
      `Node ${process.versions.node}, PostgreSQL ${server?.version} (synchronous_commit=${server?.sync})`,
  );
  console.log(
    'The load runs in the same Node process as the ledger calls (the ledger is a library; no HTTP).',
  );
  console.log(
    `Each pair: authorizeHold(${HOLD_AMOUNT}, unique key, expires in 60 s) then captureHold(${CAPTURE_AMOUNT}).\n`,
  );

  const rows: string[] = [];
  const notes: string[] = [];
  for (const [name, pick] of scenarios) {
    await run(ledger, pick, WARMUP_SECONDS);
    const before = counted.statements();
    const r = await run(ledger, pick, SECONDS);
    const perPair = (counted.statements() - before) / Math.max(1, r.pairs + r.errors);
    rows.push(
      `| ${name} | ${CLIENTS} | ${r.pairsPerSecond.toFixed(0)} | ${ms(r.pair, 0.5)} | ${ms(r.pair, 0.99)} | ` +
        `${ms(r.hold, 0.5)} | ${ms(r.hold, 0.99)} | ${ms(r.capture, 0.5)} | ${ms(r.capture, 0.99)} | ${r.errors} |`,
    );
    notes.push(`${name}: ${r.pairs} pairs, ${perPair.toFixed(1)} SQL statements per pair`);
    if (r.firstError) notes.push(`${name}: first error: ${r.firstError}`);
  }
  console.log(
    '| scenario | clients | pairs/s | pair p50 ms | pair p99 ms | hold p50 ms | hold p99 ms | capture p50 ms | capture p99 ms | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`\n${notes.join('\n')}`);

  const invariants = await checkLedgerInvariants(db);
  console.log('\nLedger invariants after the run:');
  for (const [name, ok] of Object.entries(invariants)) console.log(`  ${name}: ${ok}`);
  if (Object.values(invariants).some((ok) => !ok)) {
    console.error('A ledger invariant does not hold.');
    process.exitCode = 1;
  }

  const shown = new URL(SERVER);
  if (shown.password) shown.password = '***';
  console.log(
    `\nReproduce: DATABASE_URL=${shown.toString()} BENCH_SECONDS=${SECONDS} npm run bench:wallet` +
      '   (BENCH_CLIENTS, BENCH_POOL, BENCH_WARMUP_SECONDS also apply)',
  );
} finally {
  await db?.close().catch(() => undefined);
  await database.drop();
}
