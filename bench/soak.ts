import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { startPlatform, type Platform } from './inference-load.js';
import { TEST_ADMIN_KEY } from '../test/support/stack.js';

/*
 * `npm run bench:soak`: BENCH_SOAK_SECONDS (600) of mixed load on the platform (gateway + every
 * subgraph on real PostgreSQL and Redis, in a child process with --expose-gc; the emulated
 * providers share it), to show that nothing leaks and nothing fails when it runs for a while:
 *   - queries: a federated query (team, wallet balance, models with their health);
 *   - paid calls: `POST /v1/chat/completions`;
 *   - streams: the same with `stream: true`, read to `[DONE]`;
 *   - embeds: `POST /v1/embeddings` with a few texts;
 *   - key churn: an admin creates a key, the key makes a paid call, the admin revokes it, and the
 *     revoked key is refused with 401 (the refusal is the expected answer).
 * Every BENCH_SAMPLE_SECONDS (30) the platform's resident memory and heap after a full GC are
 * sampled, once the emulators have dropped their records of the requests they answered. Growth is measured from the sample at the end of BENCH_WARMUP_SECONDS (60) to the last
 * one; the aim is under 10 % with zero unexpected answers.
 * Knobs: the workers per kind, BENCH_SOAK_WORKERS ("query=2,chat=3,stream=2,embed=2,keys=1").
 */
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 60);
const SAMPLE_SECONDS = Number(process.env.BENCH_SAMPLE_SECONDS ?? 30);
const WORKERS = Object.fromEntries(
  (process.env.BENCH_SOAK_WORKERS ?? 'query=2,chat=3,stream=2,embed=2,keys=1')
    .split(',')
    .map((pair) => pair.split('=') as [string, string])
    .map(([kind, n]) => [kind, Number(n)]),
);

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error(
    'bench:soak needs PostgreSQL and Redis, as the real-store end-to-end tests do:\n' +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:soak',
  );
  process.exit(2);
}

type Send = (dispatcher: Agent) => Promise<void>;

/** One kind of load: its successes and the unexpected answers, with the first few kept. */
interface Tally {
  ok: number;
  failed: number;
  examples: string[];
}

async function post(dispatcher: Agent, url: string, token: string, body: unknown) {
  const response = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** A GraphQL answer's data, or a thrown error naming the status and the errors. */
async function graphql(
  dispatcher: Agent,
  platform: Platform,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { status, text } = await post(dispatcher, platform.url, token, {
    query,
    variables,
  });
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (status !== 200 || body.errors?.length || !body.data) {
    throw new Error(`GraphQL ${status}: ${text.slice(0, 300)}`);
  }
  return body.data;
}

function expectStatus(answer: { status: number; text: string }, status: number, what: string) {
  if (answer.status !== status) {
    throw new Error(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  }
}

const QUERY = `query Soak($t: ID!) {
  team(id: $t) { name wallet { balance { available held } } }
  models(first: 5) { totalCount edges { node { id displayName health { circuitState } } } }
}`;
const CREATE_KEY = `mutation SoakKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id } }
}`;
const REVOKE_KEY = `mutation SoakRevoke($id: ID!) { revokeApiKey(id: $id) { id } }`;

function senders(platform: Platform, teamId: string): Record<string, Send> {
  const chat = (model: string, stream: boolean) => ({
    model,
    stream,
    messages: [{ role: 'user', content: 'Say something short about soak tests.' }],
  });
  const v1 = (path: string) => `${new URL(platform.url).origin}/v1/${path}`;
  const { deployments } = platform;
  return {
    query: async (dispatcher) => {
      await graphql(dispatcher, platform, platform.key, QUERY, { t: teamId });
    },
    chat: async (dispatcher) => {
      const answer = await post(
        dispatcher,
        v1('chat/completions'),
        platform.key,
        chat(deployments['chat-0ms'].modelId, false),
      );
      expectStatus(answer, 200, 'chat');
    },
    stream: async (dispatcher) => {
      const answer = await post(
        dispatcher,
        v1('chat/completions'),
        platform.key,
        chat(deployments['stream-0ms'].modelId, true),
      );
      expectStatus(answer, 200, 'stream');
      if (!answer.text.trimEnd().endsWith('data: [DONE]')) {
        throw new Error(`stream did not end with [DONE]: ${answer.text.slice(-200)}`);
      }
    },
    embed: async (dispatcher) => {
      const answer = await post(dispatcher, v1('embeddings'), platform.key, {
        model: deployments['embed-0ms'].modelId,
        input: ['one text', 'another text', `a third, ${Math.random()}`],
      });
      expectStatus(answer, 200, 'embed');
    },
    keys: async (dispatcher) => {
      const created = await graphql(dispatcher, platform, TEST_ADMIN_KEY, CREATE_KEY, {
        input: { teamId, name: 'soak', scopes: ['models:read', 'inference:invoke'] },
      });
      const { secret, apiKey } = created.createApiKey as { secret: string; apiKey: { id: string } };
      const body = chat(deployments['chat-0ms'].modelId, false);
      expectStatus(await post(dispatcher, v1('chat/completions'), secret, body), 200, 'new key');
      await graphql(dispatcher, platform, TEST_ADMIN_KEY, REVOKE_KEY, { id: apiKey.id });
      expectStatus(await post(dispatcher, v1('chat/completions'), secret, body), 401, 'revoked');
    },
  };
}

async function runWorkers(
  sends: Record<string, Send>,
  deadline: number,
): Promise<Record<string, Tally>> {
  const tallies: Record<string, Tally> = {};
  const runs: Promise<void>[] = [];
  for (const [kind, count] of Object.entries(WORKERS)) {
    const send = sends[kind];
    if (!send) throw new Error(`BENCH_SOAK_WORKERS names an unknown kind: ${kind}`);
    const tally: Tally = (tallies[kind] = { ok: 0, failed: 0, examples: [] });
    const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: count });
    const worker = async () => {
      while (performance.now() < deadline) {
        try {
          await send(dispatcher);
          tally.ok += 1;
        } catch (error) {
          tally.failed += 1;
          if (tally.examples.length < 5) tally.examples.push(String(error));
        }
      }
    };
    runs.push(Promise.all(Array.from({ length: count }, worker)).then(() => dispatcher.close()));
  }
  await Promise.all(runs);
  return tallies;
}

interface Sample {
  second: number;
  rssMb: number;
  heapMb: number;
}

/** The deployments the load uses (their emulators keep every request until drained). */
const DEPLOYMENTS = ['chat-0ms', 'stream-0ms', 'embed-0ms'] as const;

async function sampleMemory(platform: Platform, began: number): Promise<Sample> {
  // The emulators share the platform's process and record each request for bench:inference's
  // checks: drop those records first, or they grow the heap as a leak of ours would.
  for (const deployment of DEPLOYMENTS) await platform.ask({ cmd: 'drain', deployment });
  const { memory } = await platform.ask<'process'>({ cmd: 'process' });
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    second: Math.round((performance.now() - began) / 1000),
    rssMb: mb(memory.rss),
    heapMb: mb(memory.heapUsed),
  };
}

const platform = await startPlatform({ trace: false });
try {
  console.log(
    `soak: ${SECONDS} s, warm-up ${WARMUP_SECONDS} s, workers ${JSON.stringify(WORKERS)}`,
  );
  const teamId = platform.teamId;
  const began = performance.now();
  const deadline = began + SECONDS * 1000;
  const samples: Sample[] = [await sampleMemory(platform, began)];
  const load = runWorkers(senders(platform, teamId), deadline);
  let finished = false;
  void load.finally(() => (finished = true));
  while (!finished) {
    await Promise.race([sleep(SAMPLE_SECONDS * 1000), load]);
    if (finished) break;
    const sample = await sampleMemory(platform, began);
    samples.push(sample);
    console.log(`  t=${sample.second}s rss ${sample.rssMb} MB, heap ${sample.heapMb} MB`);
  }
  const tallies = await load;
  samples.push(await sampleMemory(platform, began));

  const afterWarmup = samples.find((s) => s.second >= WARMUP_SECONDS) ?? samples[0]!;
  const last = samples.at(-1)!;
  const growth = (to: number, from: number) => ((to - from) / from) * 100;
  const rssGrowth = growth(last.rssMb, afterWarmup.rssMb);
  const heapGrowth = growth(last.heapMb, afterWarmup.heapMb);
  const failed = Object.values(tallies).reduce((n, t) => n + t.failed, 0);
  console.log('\nkind      ok      unexpected');
  for (const [kind, tally] of Object.entries(tallies)) {
    console.log(`${kind.padEnd(9)} ${String(tally.ok).padStart(7)} ${tally.failed}`);
    for (const example of tally.examples) console.log(`          ${example}`);
  }
  console.log(
    `\nresident memory after warm-up (t=${afterWarmup.second}s) ${afterWarmup.rssMb} MB, ` +
      `at the end (t=${last.second}s) ${last.rssMb} MB: ${rssGrowth.toFixed(1)} % ` +
      `(heap ${afterWarmup.heapMb} → ${last.heapMb} MB, ${heapGrowth.toFixed(1)} %)`,
  );
  const met = rssGrowth < 10 && failed === 0;
  console.log(
    `aim (RSS growth < 10 %, zero unexpected answers): ${met ? 'met' : 'MISSED'}\n` +
      'reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ' +
      'REDIS_URL=redis://127.0.0.1:6379 npm run bench:soak',
  );
  process.exitCode = met ? 0 : 1;
} finally {
  await platform.stop();
}
