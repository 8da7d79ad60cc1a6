import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startPlatform, summarize, type Platform } from './inference-load.js';
import type { DeploymentName } from './inference-platform.js';
import { startOpenAiEmulator, type ProviderEmulator } from '../test/support/provider-emulators.js';

/*
 * `npm run bench:stream`: what the platform adds to a streamed chat, and what holding streams
 * costs. The platform (gateway + four subgraphs on real PostgreSQL and Redis) and the emulated
 * providers run in a child process (bench/inference-platform.ts); the clients run here.
 *
 * Part 1, time to first token: `POST /v1/chat/completions` with `stream: true` through the
 * gateway (API-key auth, policy, rate limit, stream slot, wallet hold, then the provider stream),
 * against the very request the saga sent, sent directly to the emulator. TTFT is the time from
 * sending to the first content delta; added = gateway − direct, at p50 and p99.
 *
 * Part 2, CPU per streamed chunk: the platform process's CPU time over a run of 64-word streams,
 * through the gateway minus the same run sent directly (the emulator shares the process), divided
 * by the chunks delivered.
 *
 * Part 3, held streams: BENCH_STREAMS (1,000) concurrent streams of a word every 50 ms, opened
 * through the gateway in waves, from an emulator in this process (so the platform process holds
 * only the platform); the platform's memory with all of them open (each has had its first delta)
 * minus before, and how many deltas a second each still receives (the emulator sends 20).
 *
 * Part 4, leaving: BENCH_CANCELS (50) streams each left after its first delta; how long until the
 * provider request (the emulator in this process) was closed.
 *
 * Knobs: BENCH_SECONDS (6), BENCH_WARMUP_SECONDS (2), BENCH_CONCURRENCY (1,16), BENCH_STREAMS
 * (1000) opened in waves of BENCH_HELD_WAVE (100), BENCH_PARTS (ttft,cpu,cancel,held).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const HELD_WAVE = Number(process.env.BENCH_HELD_WAVE ?? 100);
const CANCELS = Number(process.env.BENCH_CANCELS ?? 50);
const PARTS = (process.env.BENCH_PARTS ?? 'ttft,cpu,cancel,held').split(',');

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error(
    'bench:stream needs PostgreSQL and Redis, as the real-store end-to-end tests do:\n' +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:stream',
  );
  process.exit(2);
}

interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One streamed chat: resolves its time to the first content delta and the deltas received. */
async function streamOnce(target: Target, dispatcher: Agent, signal?: AbortSignal) {
  const started = performance.now();
  const response = await request(target.url, {
    method: 'POST',
    headers: target.headers,
    body: target.body,
    dispatcher,
    signal,
  });
  if (response.statusCode !== 200) {
    throw new Error(`HTTP ${response.statusCode}: ${await response.body.text()}`);
  }
  let ttft: number | undefined;
  let deltas = 0;
  let buffer = '';
  let onFirst: (() => void) | undefined;
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  const done = (async () => {
    for await (const chunk of response.body) {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
        const parsed = JSON.parse(event.slice(6)) as {
          choices?: Array<{ delta?: { content?: string | null } }>;
          error?: unknown;
        };
        if (parsed.error) throw new Error(`stream error: ${JSON.stringify(parsed.error)}`);
        if (parsed.choices?.[0]?.delta?.content) {
          deltas += 1;
          if (ttft === undefined) {
            ttft = performance.now() - started;
            onFirst?.();
          }
        }
      }
    }
    onFirst?.();
    return deltas;
  })();
  return { first, done, ttft: () => ttft, deltas: () => deltas };
}

/** `clients` workers streaming one chat after another for `seconds`. */
async function runStreams(clients: number, seconds: number, target: Target) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: clients });
  const ttfts: number[] = [];
  let chunks = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const stream = await streamOnce(target, dispatcher);
        chunks += await stream.done;
        const ttft = stream.ttft();
        if (ttft === undefined) errors += 1;
        else ttfts.push(ttft);
      } catch (error) {
        errors += 1;
        if (errors === 1) console.error(`  first error: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  await dispatcher.close();
  return { ...summarize(ttfts), chunks, errors };
}

const gatewayTarget = (platform: Platform, model: string): Target => ({
  url: new URL('/v1/chat/completions', platform.url).toString(),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.key}` },
  body: JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Stream a long answer, please.' }],
    max_tokens: 1000,
    stream: true,
  }),
});

/** The request the saga last sent to `deployment`'s emulator, to send it there directly. */
async function directTarget(platform: Platform, deployment: DeploymentName): Promise<Target> {
  const { last } = await platform.ask<'drained'>({ cmd: 'drain', deployment });
  if (!last) throw new Error(`${deployment}: the saga never reached the emulator`);
  return {
    url: `${platform.deployments[deployment].baseUrl}/chat/completions`,
    headers: { 'content-type': 'application/json', ...last.headers },
    body: JSON.stringify(last.body),
  };
}

const ms = (value: number) => value.toFixed(1);
const processStats = (platform: Platform) => platform.ask<'process'>({ cmd: 'process' });

async function benchTtft(platform: Platform) {
  const deployment: DeploymentName = 'stream-0ms';
  const via = gatewayTarget(platform, platform.deployments[deployment].modelId);
  console.log(
    '\n| clients | gateway TTFT p50 | gateway p99 | direct TTFT p50 | direct p99 | added p50 | added p99 | streams (gateway / direct) | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const clients of CONCURRENCY) {
    await runStreams(clients, WARMUP_SECONDS, via);
    const direct = await directTarget(platform, deployment);
    const gateway = await runStreams(clients, SECONDS, via);
    await runStreams(clients, WARMUP_SECONDS / 2, direct);
    const baseline = await runStreams(clients, SECONDS, direct);
    await platform.ask({ cmd: 'drain', deployment });
    console.log(
      `| ${clients} | ${ms(gateway.p50)} | ${ms(gateway.p99)} | ${ms(baseline.p50)} | ${ms(baseline.p99)} | ${ms(gateway.p50 - baseline.p50)} | ${ms(gateway.p99 - baseline.p99)} | ${gateway.count} / ${baseline.count} | ${gateway.errors} / ${baseline.errors} |`,
    );
  }
}

/**
 * CPU per chunk as the slope between two stream lengths: a stream costs the platform a fixed part
 * (auth, policy, rate limit, slot, hold, capture) plus a part per chunk, so
 * (CPU of a 320-word stream − CPU of a 64-word one) / (chunks between them) is the per-chunk part.
 */
async function benchCpu(platform: Platform) {
  const cpuPerStream = async (deployment: DeploymentName) => {
    const via = gatewayTarget(platform, platform.deployments[deployment].modelId);
    await runStreams(4, WARMUP_SECONDS, via);
    const direct = await directTarget(platform, deployment);
    const measure = async (target: Target) => {
      const before = await processStats(platform);
      const run = await runStreams(4, SECONDS, target);
      const after = await processStats(platform);
      return {
        micros: (after.cpuMicros - before.cpuMicros) / run.count,
        chunks: run.chunks / run.count,
      };
    };
    const gateway = await measure(via);
    const baseline = await measure(direct);
    await platform.ask({ cmd: 'drain', deployment });
    // The emulator shares the process: its own CPU for the same stream is taken off.
    return {
      micros: gateway.micros - baseline.micros,
      chunks: gateway.chunks,
      emulator: baseline.micros,
    };
  };
  const short = await cpuPerStream('stream-0ms');
  const long = await cpuPerStream('stream-320');
  const perChunk = (long.micros - short.micros) / (long.chunks - short.chunks);
  const fixed = short.micros - perChunk * short.chunks;
  console.log(
    `\nPlatform CPU per stream (4 clients, emulator's own CPU taken off): ${(short.micros / 1000).toFixed(2)} ms for ${short.chunks.toFixed(0)} chunks, ${(long.micros / 1000).toFixed(2)} ms for ${long.chunks.toFixed(0)} chunks → ${perChunk.toFixed(1)} µs per streamed chunk (gateway, inference and the provider adapter together) and ${(fixed / 1000).toFixed(2)} ms per stream besides (the saga's steps). The emulator alone: ${(short.emulator / 1000).toFixed(2)} / ${(long.emulator / 1000).toFixed(2)} ms per stream.`,
  );
}

/** Opens `count` streams to `target` and waits until each has had its first delta. */
async function holdStreams(count: number, target: Target) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: count });
  const controller = new AbortController();
  // One signal ends every held stream: a listener each.
  setMaxListeners(count + 10, controller.signal);
  const streams: Array<Awaited<ReturnType<typeof streamOnce>>> = [];
  // Opened in waves of HELD_WAVE, each once the last has its first deltas: people arrive over
  // seconds, not in one millisecond.
  for (let offset = 0; offset < count; offset += HELD_WAVE) {
    const wave = Math.min(HELD_WAVE, count - offset);
    const opened = await Promise.allSettled(
      Array.from({ length: wave }, () => streamOnce(target, dispatcher, controller.signal)),
    );
    const fulfilled = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    // Closing aborts every stream: their endings are awaited in close(), never left unhandled.
    for (const stream of fulfilled) stream.done.catch(() => undefined);
    streams.push(...fulfilled);
    const refused = opened.find((o) => o.status === 'rejected');
    if (refused) {
      controller.abort();
      await dispatcher.destroy();
      throw new Error(
        `${wave - fulfilled.length} of a wave of ${wave} streams refused after ${offset} were open; the first: ${(refused as PromiseRejectedResult).reason}`,
      );
    }
    await Promise.all(fulfilled.map((s) => s.first));
  }
  const ended = new Set<number>();
  streams.forEach(
    (stream, i) =>
      void stream.done.then(
        () => ended.add(i),
        () => ended.add(i),
      ),
  );
  return {
    /** Deltas received so far, over every stream. */
    deltas: () => streams.reduce((sum, stream) => sum + stream.deltas(), 0),
    /** Streams not ended yet. */
    open: () => streams.length - ended.size,
    async close() {
      controller.abort();
      await Promise.allSettled(streams.map((s) => s.done));
      await dispatcher.destroy();
    },
  };
}

/** Words of a held stream's reply, a word every 50 ms: 200 s, so none ends while they open. */
const HELD_WORDS = 4000;

async function benchHeld(platform: Platform, emulator: ProviderEmulator) {
  if (!platform.heldModelId) throw new Error('the platform registered no held-stream model');
  const base = gatewayTarget(platform, platform.heldModelId);
  const via = {
    ...base,
    body: base.body.replace('"max_tokens":1000', `"max_tokens":${HELD_WORDS}`),
  };
  const warm = await holdStreams(1, via);
  await warm.close();
  const before = await processStats(platform);
  const opened = performance.now();
  const held = await holdStreams(STREAMS, via);
  const openSeconds = (performance.now() - opened) / 1000;
  const during = await processStats(platform);
  // Whether the platform keeps up: deltas every stream received over 5 s, against 20 a second.
  const counted = held.deltas();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const perStreamPerSecond = (held.deltas() - counted) / STREAMS / 5;
  const stillOpen = held.open();
  await held.close();
  emulator.reset();
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const heap = during.memory.heapUsed - before.memory.heapUsed;
  const rss = during.memory.rss - before.memory.rss;
  const external = during.memory.external - before.memory.external;
  const heapTotal = during.memory.heapTotal - before.memory.heapTotal;
  console.log(
    `\n${STREAMS} concurrent streams through the gateway (the emulator sends a word every 50 ms, from the benchmark's process), opened in waves of ${HELD_WAVE} in ${openSeconds.toFixed(1)} s, each past its first delta; ${stillOpen} still open 5 s later, receiving ${perStreamPerSecond.toFixed(1)} deltas a second each (the emulator sends 20). Platform process memory with them open: heap +${mb(heap)} MB (${kb(heap / STREAMS)} KB per stream), RSS +${mb(rss)} MB (${kb(rss / STREAMS)} KB per stream); of RSS, V8's heap reserved +${mb(heapTotal)} MB and memory outside it (buffers) +${mb(external)} MB.`,
  );
}

/**
 * How soon a client that leaves stops the provider call: BENCH_CANCELS streams are each left
 * after their first delta, and the emulator (in this process) records when its request closed.
 */
async function benchCancel(platform: Platform, emulator: ProviderEmulator) {
  if (!platform.heldModelId) throw new Error('the platform registered no held-stream model');
  const via = gatewayTarget(platform, platform.heldModelId);
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const delays: number[] = [];
  for (let i = 0; i < CANCELS; i += 1) {
    emulator.reset();
    const controller = new AbortController();
    const stream = await streamOnce(via, dispatcher, controller.signal);
    await stream.first;
    const left = Date.now();
    controller.abort();
    await stream.done.catch(() => undefined);
    const request = emulator.requests.at(-1);
    for (let wait = 0; request && request.closedAt === undefined && wait < 100; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (request?.closedAt !== undefined) delays.push(request.closedAt - left);
  }
  await dispatcher.close();
  const { p50 } = summarize(delays);
  console.log(
    `\nA client that leaves after its first delta: the provider request closed ${ms(p50)} ms later at p50, ${ms(Math.max(...delays))} ms at worst (${delays.length} of ${CANCELS} streams; Date.now() resolution, 1 ms).`,
  );
}

const commit = (() => {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
console.log(
  `bench:stream at ${commit}, ${new Date().toISOString()}; ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)}; ${SECONDS} s per row after a warm-up`,
);
// The held streams' emulator runs here, so the platform process's CPU and memory are its own.
const heldEmulator = await startOpenAiEmulator({
  reply: Array.from({ length: HELD_WORDS }, (_, i) => `word${i}`).join(' '),
  chunkDelayMs: 50,
});
process.env.BENCH_HELD_EMULATOR_URL = heldEmulator.baseUrl;
const platform = await startPlatform({ trace: false });
try {
  if (PARTS.includes('ttft')) await benchTtft(platform);
  if (PARTS.includes('cpu')) await benchCpu(platform);
  if (PARTS.includes('cancel')) await benchCancel(platform, heldEmulator);
  if (PARTS.includes('held')) await benchHeld(platform, heldEmulator);
  console.log(
    '\nReproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:stream',
  );
} finally {
  await platform.stop();
  await heldEmulator.close();
}
