import { performance } from 'node:perf_hooks';
import { createDb } from '../lib/db/index.js';
import { INFERENCE_SCHEMA, prepareInferenceStore } from '../subgraphs/inference/server.js';
import { createUsageRows, type UsageRecord } from '../subgraphs/inference/store/usage-rows.js';

/*
 * `tsx bench/usage-write.ts`: the usage writer's statement on the paid call's path (records
 * queued for the rollups) and the rollup folder's (the queue into every rollup, decision 105),
 * each alone, batches of 1, 100 and 1,000 records spread over 50 teams, 200 keys, 5 models and
 * ~17 hours, on a database of its own on DATABASE_URL. Run it on two commits to see what a
 * rollup more costs.
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
  const timed = async (step: () => Promise<unknown>) => {
    const started = performance.now();
    await step();
    return performance.now() - started;
  };
  const summary = (times: number[]) => {
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    return `p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms`;
  };
  for (const size of [1, 100, 1000]) {
    const writes: number[] = [];
    const folds: number[] = [];
    const rounds = size === 1000 ? Math.ceil(ROUNDS / 10) : ROUNDS;
    for (let i = 0; i < rounds + 20; i += 1) {
      const batch = Array.from({ length: size }, record);
      const write = await timed(() => rows.insert(batch));
      const fold = await timed(() => rows.fold(5000));
      if (i < 20) continue;
      writes.push(write);
      folds.push(fold);
    }
    console.log(
      `batch ${size}: path's write ${summary(writes)}; fold ${summary(folds)} (${rounds} each)`,
    );
  }
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.close();
}
