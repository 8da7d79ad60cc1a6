import { performance } from 'node:perf_hooks';
import { createDb } from '../lib/db/index.js';
import { INFERENCE_SCHEMA, prepareInferenceStore } from '../subgraphs/inference/server.js';
import { createUsageRows, type UsageRecord } from '../subgraphs/inference/store/usage-rows.js';

/*
 * `tsx bench/usage-write.ts`: the usage writer's one statement (records and every rollup) alone,
 * batches of 1 and 100 records spread over 50 teams, 200 keys, 5 models and ~17 hours, on a
 * database of its own on DATABASE_URL. Run it on two commits to see what a rollup more costs.
 */
const server = process.env.DATABASE_URL;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
if (!server) {
  console.error('usage-write needs DATABASE_URL=postgres://user@host:5432/db');
  process.exit(2);
}
const admin = await createDb({ url: server, schema: 'public', poolSize: 1 });
const name = `mg_bench_usage_write_${Date.now()}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(server);
url.pathname = `/${name}`;
const db = await createDb({ url: url.toString(), schema: INFERENCE_SCHEMA, poolSize: 1 });
let n = 0;
const record = (): UsageRecord => {
  n += 1;
  return {
    callId: `c${n}`,
    teamId: `team-${n % 50}`,
    apiKeyId: `key-${n % 200}`,
    userId: null,
    kind: 'CHAT',
    route: 'm',
    modelId: `m${n % 5}`,
    providerId: 'p',
    priceVersion: 1,
    inputTokens: 10,
    outputTokens: 20,
    cost: 300n,
    latencyMs: n % 3000,
    ttftMs: null,
    outcome: 'SUCCEEDED',
    cached: false,
    requestId: `r${n}`,
    createdAt: new Date(Date.now() - (n % 1000) * 60_000),
  };
};
try {
  await prepareInferenceStore(db);
  const rows = createUsageRows(db);
  for (const size of [1, 100]) {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS + 20; i += 1) {
      const batch = Array.from({ length: size }, record);
      const started = performance.now();
      await rows.insert(batch);
      if (i >= 20) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    console.log(
      `batch ${size}: p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms (${ROUNDS} statements)`,
    );
  }
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.close();
}
