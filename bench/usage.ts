import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../lib/db/index.js';
import { INFERENCE_SCHEMA, prepareInferenceStore } from '../subgraphs/inference/server.js';
import { usageReport } from '../subgraphs/inference/service/usage/usage-report.js';
import { createUsageRollups } from '../subgraphs/inference/store/usage-rollups.js';
import { MEASURE_COLUMNS, rollupUpsertSql } from '../subgraphs/inference/store/usage-rows.js';
import type { UsageDimension } from '../subgraphs/inference/store/usage-rollups.js';

/*
 * `npm run bench:usage`: BENCH_RECORDS (10 million) usage records over 90 days for BENCH_TEAMS
 * (200) teams bulk-loaded into a real PostgreSQL (generate_series INSERT ... SELECT, then the
 * rollups built with INSERT ... SELECT ... GROUP BY, as the writer would have left them), then the
 * `usage` report as its resolver makes it (usageReport over the rollups: range check, one SQL,
 * series) timed: 30 days by day by model for one team (a different team each time) and for the
 * whole organization. A database of its own on the DATABASE_URL server, dropped at the end
 * unless BENCH_KEEP is set.
 */
const SERVER = process.env.DATABASE_URL;
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 200);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const KEEP = Boolean(process.env.BENCH_KEEP);
const DAYS = 90;
const CHUNK = 1_000_000;
const DAY_MS = 86_400_000;

if (!SERVER) {
  console.error(
    'bench:usage needs a PostgreSQL server: DATABASE_URL=postgres://user@host:5432/db npm run bench:usage\n' +
      '(it creates a database mg_bench_usage_<time> of its own there and drops it unless BENCH_KEEP)',
  );
  process.exit(2);
}

const name = `mg_bench_usage_${Date.now()}`;
const admin = await createDb({ url: SERVER, schema: 'public', poolSize: 1 });
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(SERVER);
url.pathname = `/${name}`;
const db: Db = await createDb({ url: url.toString(), schema: INFERENCE_SCHEMA, poolSize: 4 });
const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);

const timed = async (what: string, run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${what}: ${seconds.toFixed(1)} s`);
  return seconds;
};

/** Records [first, last]: a team by number, a key or a user, a skewed model, mostly successes. */
const loadRecords = (first: number, last: number) =>
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
      SELECT i, 'team-' || lpad((i % ${TEAMS})::text, 3, '0') AS team,
        floor(random() * 6)::int AS who, 'model-' || floor(10 * random() ^ 2)::int AS model,
        50 + floor(random() * 2000)::int AS input, floor(random() * 800)::int AS output,
        floor(80 * exp(3.5 * random()))::int AS latency,
        random() AS r3, random() AS r4, random() AS r5
      FROM generate_series(${first}, ${last}) AS i
    ) s`,
    [end],
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
  await db.query('ANALYZE usage_team_rollups; ANALYZE usage_org_rollups');
}

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function measure(
  what: string,
  n: number,
  teamOf: (i: number) => string | null,
  by: UsageDimension[],
) {
  const rollups = createUsageRollups(db);
  const from = new Date(end.getTime() - 30 * DAY_MS);
  const times: number[] = [];
  let series = 0;
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const report = await usageReport(rollups, {
      teamId: teamOf(i),
      from,
      to: end,
      granularity: 'DAY',
      groupBy: by,
    });
    times.push(performance.now() - started);
    series = report.series.length;
  }
  times.sort((a, b) => a - b);
  const row = [what, n, series, pct(times, 0.5), pct(times, 0.95), pct(times, 0.99)];
  console.log(
    `| ${row.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v)).join(' | ')} |`,
  );
}

try {
  await prepareInferenceStore(db);
  console.log(`${RECORDS} records, ${TEAMS} teams, ${DAYS} days up to ${end.toISOString()}`);
  await timed('records loaded', async () => {
    for (let first = 1; first <= RECORDS; first += CHUNK) {
      await loadRecords(first, Math.min(RECORDS, first + CHUNK - 1));
    }
  });
  await buildRollups();
  const count = async (table: string) =>
    (await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
  console.log(
    `rows: records ${await count('usage_records')}, team rollups ${await count('usage_team_rollups')}, ` +
      `org rollups ${await count('usage_org_rollups')}`,
  );
  const team = (i: number) => `team-${String((i * 37) % TEAMS).padStart(3, '0')}`;
  // Warm the caches as a running service would have them.
  await measure('warm-up', 20, team, ['MODEL']);
  console.log('\n| report (30 days, DAY) | queries | series | p50 ms | p95 ms | p99 ms |');
  console.log('|---|---|---|---|---|---|');
  await measure('one team, by model', QUERIES, team, ['MODEL']);
  await measure('organization, by model', QUERIES, () => null, ['MODEL']);
  await measure('one team, by model and key', QUERIES, team, ['MODEL', 'API_KEY']);
  await measure('organization, by key (team rollups)', Math.ceil(QUERIES / 10), () => null, [
    'API_KEY',
  ]);
  console.log(
    `\nReproduce: DATABASE_URL=${SERVER.replace(/\/\/[^@]*@/, '//…@')} npm run bench:usage ` +
      `(BENCH_RECORDS, BENCH_TEAMS, BENCH_QUERIES, BENCH_KEEP)`,
  );
} finally {
  await db.close();
  if (KEEP) console.log(`kept database ${name}`);
  else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.close();
}
