import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { request, type Agent } from 'undici';
import { GENERATE } from '../test/support/inference-setup.js';
import { benchEmbeddings } from './inference-embeddings.js';
import { runLoad, startPlatform, type LoadResult, type Platform } from './inference-load.js';
import type { DeploymentName } from './inference-platform.js';

/*
 * `npm run bench:inference`: the latency the inference saga adds to a model call, and embedding
 * throughput with and without batching. The platform (gateway + four subgraphs on real PostgreSQL
 * and Redis, as the end-to-end tests start it) and the emulated providers run in a child process;
 * the load comes from this one over keep-alive undici pools.
 *
 * Part 1: `generate` through the gateway, non-deterministic (no temperature, so no response cache
 * and no shared flights): API-key auth, policy decision, rate-limit reserve and settle, wallet hold
 * and capture around each provider call. Baseline: the very request the saga sent to the emulator
 * (its last recorded body), sent directly to the emulator's /chat/completions at the same
 * concurrency. Added = gateway - direct, at p50 and p99.
 *
 * Part 2 (inference-embeddings.ts): embedding throughput, batched across fields or not.
 *
 * Knobs: BENCH_SECONDS (6) and BENCH_WARMUP_SECONDS (2) per row, BENCH_CONCURRENCY (1,16,64),
 * BENCH_PARTS (chat,embed; `trace` for where the time goes, through BENCH_TRACE_PATH: generate
 * or v1), BENCH_POLICY_CACHE_MS (the
 * inference default unless set), BENCH_PLATFORM_ARGS (Node options for the platform process).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const CHAT: Array<[DeploymentName, number]> = [
  ['chat-0ms', 0],
  ['chat-50ms', 50],
];
const POLICY_CACHE = process.env.BENCH_POLICY_CACHE_MS
  ? `${process.env.BENCH_POLICY_CACHE_MS} ms`
  : 'INFERENCE_POLICY_CACHE_MS (default)';
const PARTS = (process.env.BENCH_PARTS ?? 'chat,embed').split(',');
/** BENCH_TRACE_PATH: what the traced rows send, `generate` (GraphQL) or `v1` (OpenAI's wire). */
const TRACE_PATH = process.env.BENCH_TRACE_PATH ?? 'generate';

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error(
    'bench:inference needs PostgreSQL and Redis, as the real-store end-to-end tests do:\n' +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:inference\n' +
      '(it makes a database mg_test_<time>_… and a Redis key prefix of its own and removes them at the end)',
  );
  process.exit(2);
}

const generateBody = (model: string) =>
  JSON.stringify({
    query: GENERATE.source,
    variables: {
      i: {
        model,
        messages: [{ role: 'USER', content: 'Summarise why benchmarks need a baseline.' }],
        maxTokens: 64,
      },
    },
  });

function viaGateway(platform: Platform, model: string) {
  const body = generateBody(model);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${platform.key}` };
  return async (dispatcher: Agent) => {
    const response = await request(platform.url, { method: 'POST', headers, body, dispatcher });
    const json = (await response.body.json()) as {
      data?: { generate?: unknown };
      errors?: unknown;
    };
    return response.statusCode === 200 && !json.errors && Boolean(json.data?.generate);
  };
}

/** The same call through the gateway's OpenAI-compatible `/v1/chat/completions`. */
function viaV1(platform: Platform, model: string) {
  const body = JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Summarise why benchmarks need a baseline.' }],
    max_tokens: 64,
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${platform.key}` };
  const url = new URL('/v1/chat/completions', platform.url).href;
  return async (dispatcher: Agent) => {
    const response = await request(url, { method: 'POST', headers, body, dispatcher });
    const json = (await response.body.json()) as { choices?: unknown[] };
    return response.statusCode === 200 && Array.isArray(json.choices);
  };
}

function direct(baseUrl: string, sent: { body: unknown; headers: Record<string, string> }) {
  const body = JSON.stringify(sent.body);
  const headers = { 'content-type': 'application/json', ...sent.headers };
  const url = `${baseUrl}/chat/completions`;
  return async (dispatcher: Agent) => {
    const response = await request(url, { method: 'POST', headers, body, dispatcher });
    const json = (await response.body.json()) as { choices?: unknown[] };
    return response.statusCode === 200 && Array.isArray(json.choices);
  };
}

const ms = (value: number) => value.toFixed(1);

async function benchChat(platform: Platform) {
  const rows: string[] = [];
  for (const [name, latencyMs] of CHAT) {
    const { modelId, baseUrl } = platform.deployments[name];
    const drain = () => platform.ask<'drained'>({ cmd: 'drain', deployment: name });
    for (const clients of CONCURRENCY) {
      await runLoad(clients, WARMUP_SECONDS, viaGateway(platform, modelId));
      const { last } = await drain();
      if (!last) throw new Error(`${name}: the saga never reached the emulator`);
      const gateway = await runLoad(clients, SECONDS, viaGateway(platform, modelId));
      const calls = (await drain()).requests;
      await runLoad(clients, WARMUP_SECONDS / 2, direct(baseUrl, last));
      const baseline = await runLoad(clients, SECONDS, direct(baseUrl, last));
      await drain();
      rows.push(chatRow(latencyMs, clients, gateway, baseline, calls));
      console.error(`  chat ${name} x${clients}: ${rows.at(-1)}`);
    }
  }
  console.log(
    '\n| emulator ms | clients | gateway req/s | gateway p50 | gateway p99 | direct req/s | direct p50 | direct p99 | added p50 | added p99 | provider calls / generate | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

function chatRow(
  latencyMs: number,
  clients: number,
  gateway: LoadResult,
  baseline: LoadResult,
  providerCalls: number,
) {
  return [
    '',
    latencyMs,
    clients,
    gateway.perSecond.toFixed(0),
    ms(gateway.p50),
    ms(gateway.p99),
    baseline.perSecond.toFixed(0),
    ms(baseline.p50),
    ms(baseline.p99),
    ms(gateway.p50 - baseline.p50),
    ms(gateway.p99 - baseline.p99),
    (providerCalls / gateway.count).toFixed(3),
    `${gateway.errors} / ${baseline.errors}`,
    '',
  ]
    .join(' | ')
    .trim();
}

/**
 * BENCH_PARTS=trace: traced gateway rows, showing where the time goes. Tracing subscribes to
 * diagnostics channels in the platform, so run it apart from the timed parts.
 */
async function benchTrace(platform: Platform) {
  const via = TRACE_PATH === 'v1' ? viaV1 : viaGateway;
  for (const [name, latencyMs] of CHAT) {
    const { modelId } = platform.deployments[name];
    for (const clients of CONCURRENCY) {
      await runLoad(clients, WARMUP_SECONDS, via(platform, modelId));
      const label = `${name}-c${clients}`;
      await platform.ask({ cmd: 'trace', on: true, label });
      const result = await runLoad(clients, SECONDS, via(platform, modelId));
      const { report } = await platform.ask<'trace'>({ cmd: 'trace', on: false, label });
      await platform.ask({ cmd: 'drain', deployment: name });
      console.log(
        `\nTraced: ${TRACE_PATH === 'v1' ? '/v1/chat/completions' : 'generate'} via the gateway, emulator ${latencyMs} ms, ${clients} clients: ${result.perSecond.toFixed(0)} req/s, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms (client side)\n`,
      );
      console.log(report);
    }
  }
}

const commit = (() => {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
console.log(
  `bench:inference at ${commit}, ${new Date().toISOString()}; ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)}; policy decisions reused for ${POLICY_CACHE}; ${SECONDS} s per row after a warm-up`,
);
const platform = await startPlatform({ trace: PARTS.includes('trace') });
try {
  if (PARTS.includes('chat')) await benchChat(platform);
  if (PARTS.includes('embed')) await benchEmbeddings(platform, { seconds: SECONDS });
  if (PARTS.includes('trace')) await benchTrace(platform);
  console.log(
    '\nReproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:inference',
  );
} finally {
  await platform.stop();
}
