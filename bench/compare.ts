import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateInternalKeyPair } from '../lib/auth/internal-token.js';
import { prepareBaseCheckout } from './compare-base.js';
import { createBenchDatabase, type BenchDatabase } from './compare-database.js';
import {
  HEAD,
  aimsSummary,
  resultsTable,
  summarizeRows,
  type RowKey,
  type Sample,
} from './compare-report.js';
import { EMULATOR_KEY_ENV } from './compare-seed.js';
import type { Sender } from './compare-senders.js';
import {
  directSystem,
  modelgraphSystem,
  portkeySystem,
  type CodeVersion,
  type System,
} from './compare-systems.js';
import { runLoad } from './inference-load.js';
import { cpuSeconds } from './process-cpu.js';
import { startSharedEmulator, type SharedEmulator } from './shared-emulator.js';
import { TOPOLOGIES, TOPOLOGY_NOTES, type StackSettings, type Topology } from './topologies.js';

/*
 * `npm run bench:compare`: Modelgraph's added latency, paid throughput and CPU per call, side by
 * side in one run with
 * - Portkey's open-source gateway (no auth, budget, rate limit or store; bench/portkey.ts);
 * - the base commit (issue 12's "today's code"), run from a `git archive` copy of it
 *   (bench/compare-base.ts), in one process as `npm start` runs it;
 * - HEAD in each process topology (bench/topologies.ts): one process, one process per service, and
 *   a two-worker node:cluster of each.
 * Every system gets the same OpenAI chat request (64 output tokens) to one emulator answering at
 * once, in a process of its own (direct = that request sent to the emulator itself). Modelgraph runs
 * the whole saga on real PostgreSQL and Redis (API key, policy, rate limit, wallet hold, provider
 * call, capture): through `POST /v1/chat/completions` (OpenAI's wire format, as Portkey) and the
 * GraphQL `generate` mutation; the base through the paths it has. HEAD's topologies share one
 * database, seeded once (one team, one API key, credits); the base has its own database (its
 * migrations differ).
 *
 * Platforms run as production runs them (NODE_ENV=production, configured by environment), from
 * their TypeScript entry files through tsx rather than from a build; the run's Redis keys (no key
 * prefix in production) belong to its own fresh team, key and model, and expire or stay unread.
 *
 * One system runs at a time (started, measured at every concurrency, stopped), so that none pays
 * for another's idle processes or connections; rounds alternate the order (forward, then reversed)
 * and the table gives each row's median over rounds. CPU per call is the CPU time the system's
 * processes used during the timed part of a row (/proc), divided by its successful calls.
 *
 * Knobs (environment):
 * - BENCH_SECONDS (6): timed seconds per row, after BENCH_WARMUP_SECONDS (2) of the same load;
 * - BENCH_CONCURRENCY (1,16): clients, each one request at a time;
 * - BENCH_ROUNDS (1): rounds over every system, alternating order;
 * - BENCH_BASE (56529ce): the commit to compare against; `none` skips it;
 * - BENCH_TOPOLOGIES (one,services,one-cluster,services-cluster): HEAD's topologies to measure;
 * - BENCH_START_TIMEOUT_SECONDS (180): how long one platform may take to be ready;
 * - BENCH_LOG_LEVEL (warn): the platforms' LOG_LEVEL (at info every call writes a usage line);
 * - BENCH_PATHS (/v1,generate): Modelgraph's paths to measure;
 * - BENCH_PLATFORM_ARGS: Node options for the platforms only (a CPU profile:
 *   `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 * DATABASE_URL and REDIS_URL name the servers; the run makes its own databases and drops them.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const BASE = process.env.BENCH_BASE ?? '56529ce';
const TOPOLOGY_LIST = (process.env.BENCH_TOPOLOGIES ?? TOPOLOGIES.join(','))
  .split(',')
  .map((t) => t.trim()) as Topology[];
const START_TIMEOUT_MS = Number(process.env.BENCH_START_TIMEOUT_SECONDS ?? 180) * 1000;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const KNOBS = [
  'BENCH_SECONDS',
  'BENCH_WARMUP_SECONDS',
  'BENCH_CONCURRENCY',
  'BENCH_ROUNDS',
  'BENCH_BASE',
  'BENCH_TOPOLOGIES',
  'BENCH_START_TIMEOUT_SECONDS',
  'BENCH_LOG_LEVEL',
  'BENCH_PATHS',
  'BENCH_PLATFORM_ARGS',
];

const unknown = TOPOLOGY_LIST.filter((t) => !TOPOLOGIES.includes(t));
if (unknown.length) {
  console.error(`BENCH_TOPOLOGIES: unknown ${unknown.join(', ')}; known: ${TOPOLOGIES.join(', ')}`);
  process.exit(2);
}
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
if (!DATABASE_URL || !REDIS_URL) {
  console.error(
    'bench:compare needs PostgreSQL and Redis:\n' +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:compare',
  );
  process.exit(2);
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Warm-up, then the timed load, with the CPU `pids` used and the provider calls it made. */
async function measure(
  clients: number,
  send: Sender,
  pids: number[],
  emulator: SharedEmulator,
): Promise<Sample & { providerCalls: number; ok: number }> {
  await runLoad(clients, WARMUP_SECONDS, send);
  await emulator.count();
  const cpuBefore = cpuSeconds(pids);
  const result = await runLoad(clients, SECONDS, send);
  const cpuAfter = cpuSeconds(pids);
  const providerCalls = await emulator.count();
  const ok = result.count - result.errors;
  return {
    perSecond: ok / result.seconds,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    cpuMsPerCall:
      cpuBefore === undefined || cpuAfter === undefined || ok === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / ok,
    providerCalls,
    ok,
  };
}

const commit = (() => {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
})();
const base = BASE === 'none' ? undefined : prepareBaseCheckout(BASE, REPO_ROOT);

console.log(
  `bench:compare at ${commit}${base ? ` against ${base.commit.slice(0, 7)}` : ''}, ${new Date().toISOString()}; ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)}; ${SECONDS} s per row after ${WARMUP_SECONDS} s of warm-up; ${ROUNDS} round(s)`,
);
for (const topology of TOPOLOGY_LIST) console.log(`- ${topology}: ${TOPOLOGY_NOTES[topology]}`);

const emulator = await startSharedEmulator();
const databases: BenchDatabase[] = [];
const adminKey = `mg_admin_${randomBytes(24).toString('base64url')}`;
const settingsFor = async (root: string, label: string): Promise<StackSettings> => {
  const database = await createBenchDatabase(DATABASE_URL, label);
  databases.push(database);
  return {
    root,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    keys: await generateInternalKeyPair(),
    adminKey,
    logLevel: LOG_LEVEL,
    providerEnv: EMULATOR_KEY_ENV,
    timeoutMs: START_TIMEOUT_MS,
  };
};

/** A version's settings: one database for all its topologies, made on first use. */
function codeVersion(system: string, root: string, label: string, required: boolean) {
  let settings: Promise<StackSettings> | undefined;
  return { system, required, settings: () => (settings ??= settingsFor(root, label)) };
}
const head: CodeVersion = codeVersion(HEAD, REPO_ROOT, 'head', true);
const baseVersion: CodeVersion | undefined =
  base && codeVersion(`base ${base.commit.slice(0, 7)}`, base.root, 'base', false);

const systems: System[] = [
  directSystem(emulator),
  portkeySystem(emulator, START_TIMEOUT_MS),
  ...(baseVersion ? [modelgraphSystem(baseVersion, 'one', adminKey, emulator)] : []),
  ...TOPOLOGY_LIST.map((topology) => modelgraphSystem(head, topology, adminKey, emulator)),
];

const label = (s: System) => [s.system, s.topology].filter(Boolean).join(' ');
const samples = new Map<string, [RowKey, Sample[]]>();
const providerMismatches: string[] = [];
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    console.log(`\nround ${round + 1}/${ROUNDS}: ${order.map(label).join(' → ')}`);
    for (const system of order) {
      const running = await system.start();
      try {
        for (const clients of CONCURRENCY) {
          for (const [path, send] of running.paths) {
            const key: RowKey = { system: system.system, topology: system.topology, path, clients };
            const sample = await measure(clients, send, running.pids, emulator);
            const id = JSON.stringify(key);
            if (!samples.has(id)) samples.set(id, [key, []]);
            samples.get(id)![1].push(sample);
            if (sample.providerCalls !== sample.ok) {
              providerMismatches.push(
                `${label(system)} ${path} ×${clients} (round ${round + 1}): ${sample.providerCalls} provider calls for ${sample.ok} successful calls`,
              );
            }
            console.log(
              `  ${`${label(system)} ${path}`.padEnd(34)} ${String(clients).padStart(3)} clients: ${sample.perSecond.toFixed(0)} calls/s, p50 ${sample.p50.toFixed(1)} ms, ${sample.errors} errors`,
            );
          }
        }
      } finally {
        await running.stop();
      }
    }
  }

  const rows = summarizeRows([...samples.values()]);
  console.log(
    `\nMedians of ${ROUNDS} round(s); calls/s counts successful (for Modelgraph: paid) calls; added = over direct at the same clients; CPU = the system's processes (for direct, the emulator's).\n`,
  );
  console.log(resultsTable(rows));
  console.log(`\n${aimsSummary(rows)}`);
  if (providerMismatches.length) {
    console.log(
      `\nProvider calls differing from successful calls:\n- ${providerMismatches.join('\n- ')}`,
    );
  }
  const knobs = KNOBS.filter((k) => process.env[k] !== undefined).map(
    (k) => `${k}=${process.env[k]}`,
  );
  console.log(
    `\nReproduce: DATABASE_URL=${DATABASE_URL} REDIS_URL=${REDIS_URL} ${knobs.join(' ')}${knobs.length ? ' ' : ''}npm run bench:compare`,
  );
} finally {
  await emulator.stop();
  for (const database of databases) await database.drop();
}
