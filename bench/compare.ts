import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Agent } from 'undici';
import { runLoad, startPlatform, type LoadResult, type Platform } from './inference-load.js';

/*
 * `npm run bench:compare`: Modelgraph's added latency and throughput against a peer AI gateway, in
 * the same run. The peer is Portkey's open-source gateway (@portkey-ai/gateway 1.15.2: no auth, no
 * budget, no rate limit, no store), installed by this script into a scratch folder under the temp
 * directory (never a dependency of ours). Both send the same OpenAI chat request to the same
 * emulator (0 ms) in the platform process; direct = that request sent to the emulator itself.
 *
 * Ours is measured twice: `POST /v1/chat/completions` (the OpenAI wire format, as Portkey) and the
 * GraphQL `generate` mutation; both run the whole saga (API key, policy, rate limit, wallet hold,
 * provider call, capture) on real PostgreSQL and Redis.
 *
 * Knobs: BENCH_SECONDS (6), BENCH_WARMUP_SECONDS (2), BENCH_CONCURRENCY (1,16).
 */
const PORTKEY = '@portkey-ai/gateway@1.15.2';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error(
    'bench:compare needs PostgreSQL and Redis:\n' +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:compare',
  );
  process.exit(2);
}

/** Portkey's gateway in a scratch folder of its own (installed once), started on a free port. */
async function startPortkey() {
  const folder = join(tmpdir(), 'modelgraph-bench-portkey');
  const server = join(folder, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  if (!existsSync(server)) {
    mkdirSync(folder, { recursive: true });
    console.error(`  installing ${PORTKEY} into ${folder} (once)`);
    execFileSync('npm', ['init', '-y'], { cwd: folder, stdio: 'ignore' });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', PORTKEY], {
      cwd: folder,
      stdio: 'inherit',
    });
  }
  const port = await freePort();
  const child = spawn(process.execPath, [server, `--port=${port}`], {
    cwd: folder,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    const up = await request(`${url}/`, { method: 'GET' })
      .then((r) => r.body.dump().then(() => true))
      .catch(() => false);
    if (up) break;
    if (tries > 100) throw new Error('Portkey did not start');
    await sleep(100);
  }
  return {
    url,
    stop: () => {
      child.kill();
      return new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const chatBody = (model: string) =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Summarise why benchmarks need a baseline.' }],
    max_tokens: 64,
  });

/** A sender of one OpenAI chat request to `url`, succeeding on a 200 with choices. */
function chatSender(url: string, headers: Record<string, string>, body: string) {
  return async (dispatcher: Agent) => {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      dispatcher,
    });
    const json = (await response.body.json()) as { choices?: unknown[] };
    return response.statusCode === 200 && Array.isArray(json.choices);
  };
}

function generateSender(platform: Platform, model: string) {
  const body = JSON.stringify({
    query: `mutation($i: GenerateInput!) { generate(input: $i) { id cost } }`,
    variables: {
      i: {
        model,
        messages: [{ role: 'USER', content: 'Summarise why benchmarks need a baseline.' }],
        maxTokens: 64,
      },
    },
  });
  return async (dispatcher: Agent) => {
    const response = await request(platform.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.key}` },
      body,
      dispatcher,
    });
    const json = (await response.body.json()) as {
      data?: { generate?: unknown };
      errors?: unknown;
    };
    return response.statusCode === 200 && !json.errors && Boolean(json.data?.generate);
  };
}

const ms = (value: number) => value.toFixed(1);

async function measure(clients: number, send: (dispatcher: Agent) => Promise<boolean>) {
  await runLoad(clients, WARMUP_SECONDS, send);
  return runLoad(clients, SECONDS, send);
}

const commit = (() => {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
console.log(
  `bench:compare at ${commit}, ${new Date().toISOString()}; ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)}; ${SECONDS} s per row after a warm-up`,
);
const platform = await startPlatform({ trace: false });
const portkey = await startPortkey();
try {
  const { modelId, baseUrl } = platform.deployments['chat-0ms'];
  const emulatorKey = { authorization: 'Bearer sk-emulated' };
  const senders: Array<[string, (dispatcher: Agent) => Promise<boolean>]> = [
    ['direct', chatSender(`${baseUrl}/chat/completions`, emulatorKey, chatBody('gpt-emulated'))],
    [
      'Portkey OSS',
      chatSender(
        `${portkey.url}/v1/chat/completions`,
        { ...emulatorKey, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': baseUrl },
        chatBody('gpt-emulated'),
      ),
    ],
    [
      'Modelgraph /v1',
      chatSender(
        new URL('/v1/chat/completions', platform.url).toString(),
        { authorization: `Bearer ${platform.key}` },
        chatBody(modelId),
      ),
    ],
    ['Modelgraph generate', generateSender(platform, modelId)],
  ];
  console.log(
    '\n| clients | path | calls/s | p50 ms | p99 ms | added p50 | added p99 | errors |\n|---|---|---|---|---|---|---|---|',
  );
  for (const clients of CONCURRENCY) {
    const results = new Map<string, LoadResult>();
    for (const [name, send] of senders) {
      results.set(name, await measure(clients, send));
      await platform.ask({ cmd: 'drain', deployment: 'chat-0ms' });
    }
    const direct = results.get('direct')!;
    for (const [name, r] of results) {
      console.log(
        `| ${clients} | ${name} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${name === 'direct' ? '' : ms(r.p50 - direct.p50)} | ${name === 'direct' ? '' : ms(r.p99 - direct.p99)} | ${r.errors} |`,
      );
    }
  }
  console.log(
    '\nReproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:compare',
  );
} finally {
  await portkey.stop();
  await platform.stop();
}
