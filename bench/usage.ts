import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../lib/db/index.js';
import { INFERENCE_SCHEMA } from '../subgraphs/inference/server.js';
import { MEASURE_COLUMNS, rollupUpsertSql } from '../subgraphs/inference/store/usage-rows.js';
import type { UsageDimension } from '../subgraphs/inference/store/usage-rollups.js';
import { benchDatabase, startDevPlatform } from './dev-platform.js';
import { freePorts } from './free-ports.js';

/*
 * `npm run bench:usage`: BENCH_RECORDS (1 million; 10 million for the issue's figure) usage
 * records over 90 days for BENCH_TEAMS (200) teams, bulk-loaded into a database of the run's own
 * on the DATABASE_URL server (generate_series INSERT ... SELECT, then the rollups built with
 * INSERT ... SELECT ... GROUP BY, as the writer would have left them), behind the platform as
 * `npm start` runs it on that database. The `usage` query is then sent to the gateway's /graphql
 * over HTTP as a client sends it (gateway authentication and limits, internal token, the
 * inference subgraph's GraphQL and shield, both hops' JSON), one request at a time: 30 days by
 * day for the Demo team with its member key (team 0 of the load is the Demo team), for other
 * teams and org-wide with the admin key. The database is dropped at the end unless BENCH_KEEP.
 */
const SERVER = process.env.DATABASE_URL;
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 200);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const KEEP = Boolean(process.env.BENCH_KEEP);
const DAYS = 90;
const CHUNK = 1_000_000;
const DAY_MS = 86_400_000;

if (!SERVER) {
  console.error(
    'bench:usage needs a PostgreSQL server: DATABASE_URL=postgres://user@host:5432/db npm run bench:usage\n' +
      '(it creates a database mg_bench_<time> of its own there and drops it unless BENCH_KEEP)',
  );
  process.exit(2);
}

const database = await benchDatabase();
const [port, paymentsPort] = await freePorts(2);
const adminKey = `mg_admin_bench_${randomBytes(24).toString('base64url')}`;
const platform = await startDevPlatform({
  port: port!,
  databaseUrl: database.url,
  env: {
    MODELGRAPH_ADMIN_KEY: adminKey,
    TRUSTED_DOCUMENTS: 'off',
    // Its own payment emulator port, so a second platform (another bench) may run beside it.
    BILLING_TEST_MODE_PORT: String(paymentsPort),
  },
}).catch(async (error: unknown) => {
  await database.drop();
  throw error;
});
const db: Db = await createDb({ url: database.url!, schema: INFERENCE_SCHEMA, poolSize: 4 });
const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
const gateway = `http://127.0.0.1:${port}/graphql`;

/** One GraphQL request to the gateway: its time, the response's size, and its data. */
async function post(token: string, query: string, variables: Record<string, unknown> = {}) {
  const started = performance.now();
  const response = await fetch(gateway, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`${response.status}: ${text.slice(0, 500)}`);
  return { ms, bytes: text.length, data: body.data! };
}

const timed = async (what: string, run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${what}: ${seconds.toFixed(1)} s`);
  return seconds;
};

/**
 * Records [first, last]: a team by number (0 is the Demo team), a key or a user, a skewed model,
 * mostly successes.
 */
const loadRecords = (first: number, last: number, demoTeam: string) =>
  db.query(
    `
    INSERT INTO usage_records (call_id, team_id, api_key_id, user_id, kind, route, model_id,
      provider_id, price_version, input_tokens, output_tokens, cost, latency_ms, ttft_ms, outcome,
      cached, request_id, created_at)
    SELECT 'bench-' || i, team, CASE WHEN who < 4 THEN team || '-key-' || who END,
      CASE WHEN who >= 4 THEN 'user:' || team || '-' || who END,
      CASE WHEN r4 < 0.3 THEN 'STREAM' ELSE 'CHAT' END, model, model, 'provider-1', 1,
      input, output, input * 3 + output * 15, latency,
      CASE WHEN r4 < 0.3 THEN latency / 5 END,
      CASE WHEN r3 < 0.93 THEN 'SUCCEEDED' WHEN r3 < 0.96 THEN 'FAILED'
           WHEN r3 < 0.99 THEN 'REFUSED' ELSE 'CANCELLED' END,
      r4 > 0.95, 'req-' || i, $1::timestamptz - r5 * interval '${DAYS} days'
    FROM (
      SELECT i, CASE WHEN i % ${TEAMS} = 0 THEN $2
          ELSE 'team-' || lpad((i % ${TEAMS})::text, 3, '0') END AS team,
        floor(random() * 6)::int AS who, 'model-' || floor(10 * random() ^ 2)::int AS model,
        50 + floor(random() * 2000)::int AS input, floor(random() * 800)::int AS output,
        floor(80 * exp(3.5 * random()))::int AS latency,
        random() AS r3, random() AS r4, random() AS r5
      FROM generate_series(${first}, ${last}) AS i
    ) s`,
    [end, demoTeam],
  );

const TEAM_KEYS = 'team_id, model_id, api_key_id, user_id, outcome';
const sums = MEASURE_COLUMNS.map((c) => `sum(${c})`).join(', ');

async function buildRollups() {
  // The writer's own statement, over every record at once.
  await timed('rollups: team, hourly (from the records)', () =>
    db.query(rollupUpsertSql('usage_records', 'HOUR', 'team')),
  );
  await timed('rollups: team, daily (from the hourly)', () =>
    db.query(`
      INSERT INTO usage_team_rollups (grain, bucket, ${TEAM_KEYS}, ${MEASURE_COLUMNS.join(', ')})
      SELECT 'DAY', date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', ${TEAM_KEYS},
        ${sums}
      FROM usage_team_rollups WHERE grain = 'HOUR' GROUP BY 2, 3, 4, 5, 6, 7`),
  );
  await timed('rollups: organization, hourly and daily (from the team rollups)', () =>
    db.query(`
      INSERT INTO usage_org_rollups (grain, bucket, model_id, outcome, ${MEASURE_COLUMNS.join(', ')})
      SELECT grain, bucket, model_id, outcome, ${sums}
      FROM usage_team_rollups GROUP BY 1, 2, 3, 4`),
  );
  // Migration 004's own statement.
  await timed('rollups: principal, hourly and daily (from the team rollups)', () =>
    db.query(`
      INSERT INTO usage_principal_rollups (grain, bucket, api_key_id, user_id,
        ${MEASURE_COLUMNS.join(', ')})
      SELECT grain, bucket, api_key_id, user_id, ${sums}
      FROM usage_team_rollups GROUP BY 1, 2, 3, 4`),
  );
  await db.query(
    'ANALYZE usage_team_rollups; ANALYZE usage_org_rollups; ANALYZE usage_principal_rollups',
  );
}

const STATS = 'requests inputTokens outputTokens cost latencyMs { p50 p95 }';
/** The console's usage query (console/src/operations/usage.graphql), with every group field. */
const USAGE = `query Usage($teamId: ID, $from: DateTime!, $to: DateTime!, $groupBy: [UsageDimension!]!) {
  usage(teamId: $teamId, from: $from, to: $to, granularity: DAY, groupBy: $groupBy) {
    totals { ${STATS} }
    series { group { modelId apiKeyId userId outcome } points { start stats { ${STATS} } } }
  } }`;

/** A table of keys or people: each series' totals, no points (read as one row per series). */
const TOTALS = `query UsageTotals($teamId: ID, $from: DateTime!, $to: DateTime!, $groupBy: [UsageDimension!]!) {
  usage(teamId: $teamId, from: $from, to: $to, granularity: DAY, groupBy: $groupBy) {
    totals { ${STATS} }
    series { group { modelId apiKeyId userId outcome } totals { ${STATS} } }
  } }`;

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function measure(
  what: string,
  n: number,
  token: string,
  teamOf: (i: number) => string | null,
  by: UsageDimension[],
  query = USAGE,
) {
  const from = new Date(end.getTime() - 30 * DAY_MS).toISOString();
  const times: number[] = [];
  let series = 0;
  let bytes = 0;
  for (let i = 0; i < n; i += 1) {
    // A report too large for the platform (at 10 million records, org-wide by key and model ran
    // it out of heap: bench/RESULTS.md) is a row saying so, not a lost run.
    const answer = await post(token, query, {
      teamId: teamOf(i),
      from,
      to: end.toISOString(),
      groupBy: by,
    }).catch((error: Error) => error);
    if (answer instanceof Error) {
      console.log(`| ${what} | failed after ${i} queries: ${answer.message.slice(0, 120)} |`);
      return;
    }
    times.push(answer.ms);
    series = (answer.data.usage as { series: unknown[] }).series.length;
    bytes = answer.bytes;
  }
  times.sort((a, b) => a - b);
  const row = [
    what,
    n,
    series,
    Math.round(bytes / 1024),
    ...[0.5, 0.95, 0.99].map((q) => pct(times, q)),
  ];
  console.log(
    `| ${row.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v)).join(' | ')} |`,
  );
}

try {
  const viewer = await post(platform.key, '{ viewer { memberships { team { id } } } }');
  const demoTeam = (viewer.data.viewer as { memberships: Array<{ team: { id: string } }> })
    .memberships[0]!.team.id;
  console.log(
    `${RECORDS} records, ${TEAMS} teams (team 0: Demo, ${demoTeam}), ${DAYS} days up to ${end.toISOString()}`,
  );
  await timed('records loaded', async () => {
    for (let first = 1; first <= RECORDS; first += CHUNK) {
      await loadRecords(first, Math.min(RECORDS, first + CHUNK - 1), demoTeam);
    }
  });
  await buildRollups();
  const count = async (table: string) =>
    (await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
  console.log(
    `rows: records ${await count('usage_records')}, team rollups ${await count('usage_team_rollups')}, ` +
      `org rollups ${await count('usage_org_rollups')}, principal rollups ${await count('usage_principal_rollups')}`,
  );
  const team = (i: number) =>
    i % TEAMS === 0 ? demoTeam : `team-${String((i * 37) % TEAMS).padStart(3, '0')}`;
  const org = () => null;
  // Warm the caches as a running service would have them.
  await measure('warm-up', 20, adminKey, team, ['MODEL']);
  console.log(
    '\n| report (30 days, DAY), over HTTP through the gateway | queries | series | response KB | p50 ms | p95 ms | p99 ms |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const few = Math.min(QUERIES, 5);
  await measure('Demo team by model, its member key', QUERIES, platform.key, () => demoTeam, [
    'MODEL',
  ]);
  await measure('one team by model, admin (a different team each time)', QUERIES, adminKey, team, [
    'MODEL',
  ]);
  await measure('organization by model (org rollups)', QUERIES, adminKey, org, ['MODEL']);
  await measure('one team by model and key, admin', QUERIES, adminKey, team, ['MODEL', 'API_KEY']);
  await measure('one team by user, admin', QUERIES, adminKey, team, ['USER']);
  await measure(
    'organization by key, totals only (principal rollups)',
    QUERIES,
    adminKey,
    org,
    ['API_KEY'],
    TOTALS,
  );
  await measure(
    'organization by user, totals only (principal rollups)',
    QUERIES,
    adminKey,
    org,
    ['USER'],
    TOTALS,
  );
  await measure('organization by key (principal rollups)', few, adminKey, org, ['API_KEY']);
  await measure('organization by user (principal rollups)', few, adminKey, org, ['USER']);
  await measure('organization by key and model (team rollups)', few, adminKey, org, [
    'API_KEY',
    'MODEL',
  ]);
  console.log(
    `\nReproduce: DATABASE_URL=${SERVER.replace(/\/\/[^@]*@/, '//…@')} BENCH_RECORDS=${RECORDS} ` +
      `npm run bench:usage (also BENCH_TEAMS, BENCH_QUERIES, BENCH_KEEP)`,
  );
} finally {
  await db.close();
  await platform.stop();
  if (KEEP) console.log(`kept database ${database.url}`);
  else await database.drop();
}
