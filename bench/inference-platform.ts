import { expectNoErrors } from '../test/support/graphql-client.js';
import { createDeployments, EMULATOR_ENV } from '../test/support/emulated-deployments.js';
import { createCallingTeam } from '../test/support/inference-setup.js';
import { startStack, TEST_ADMIN_KEY } from '../test/support/stack.js';
import { startStepTrace } from './inference-trace.js';

/*
 * The platform side of `npm run bench:inference`, run as a child process so that it has a core of
 * its own (the load comes from the parent): the four subgraphs and the gateway as the end-to-end
 * tests start them (startStack, real PostgreSQL + Redis, one process), the emulated providers, and
 * a calling team with a generous quota. It answers the parent over IPC (see PlatformReply).
 */

/** Emulated deployments: name → [capability, emulator latency in ms]. */
export const BENCH_DEPLOYMENTS = {
  'chat-0ms': ['CHAT', 0],
  'chat-50ms': ['CHAT', 50],
  'embed-0ms': ['EMBEDDING', 0],
  'embed-20ms': ['EMBEDDING', 20],
  // bench:stream: 64- and 320-word replies streamed at once.
  'stream-0ms': ['CHAT', 0],
  'stream-320': ['CHAT', 0],
} as const;
export type DeploymentName = keyof typeof BENCH_DEPLOYMENTS;

/** The streamed replies: how many words, and the wait between them. */
const STREAMED: Partial<Record<DeploymentName, { words: number; chunkDelayMs: number }>> = {
  'stream-0ms': { words: 64, chunkDelayMs: 0 },
  'stream-320': { words: 320, chunkDelayMs: 0 },
};
const replyOf = (words: number) =>
  Array.from({ length: words }, (_, i) => `word${i}`).join(' ') + '.';

export type PlatformCommand =
  | { cmd: 'drain'; deployment: DeploymentName }
  | { cmd: 'trace'; on: boolean; label: string }
  /** The platform process's CPU time and memory (after a full GC when Node has --expose-gc). */
  | { cmd: 'process' }
  | { cmd: 'stop' };

export type PlatformReply =
  | {
      type: 'ready';
      url: string;
      key: string;
      /** The calling team the key belongs to. */
      teamId: string;
      deployments: Record<DeploymentName, { modelId: string; baseUrl: string }>;
      /** The model on the emulator at BENCH_HELD_EMULATOR_URL (bench:stream's, in its process). */
      heldModelId: string | undefined;
    }
  /** The provider requests since the last drain, and the last one's body and headers. */
  | {
      type: 'drained';
      requests: number;
      inputs: number;
      last: { body: unknown; headers: Record<string, string> } | undefined;
    }
  | { type: 'trace'; report: string }
  | { type: 'process'; cpuMicros: number; memory: NodeJS.MemoryUsage }
  | { type: 'stopped' };

const SET_QUOTA = `mutation($t: ID!, $q: QuotaInput!) { setQuota(teamId: $t, input: $q) { id } }`;
// Far above what a run uses, so every call is checked against the limits and admitted.
const QUOTA = {
  requestsPerMinute: 1_000_000,
  tokensPerMinute: 1_000_000_000,
  tokensPerDay: 1e12,
  keyRequestsPerMinute: 1_000_000,
  keyTokensPerMinute: 1_000_000_000,
  maxConcurrentStreams: 100_000,
};

const POLICY_CACHE_MS = process.env.BENCH_POLICY_CACHE_MS;

const send = (reply: PlatformReply, then: () => void = () => undefined) =>
  process.send?.(reply, then);

const stack = await startStack({
  mode: 'real',
  inference: {
    env: EMULATOR_ENV,
    settings: {
      // Every embedding run reaches the provider: batched and unbatched pay the same way.
      embeddingCacheTtlSeconds: 0,
      // BENCH_POLICY_CACHE_MS=0 asks policy on every call instead of reusing decisions.
      ...(POLICY_CACHE_MS ? { policyCacheMs: Number(POLICY_CACHE_MS) } : {}),
    },
  },
});
const deployer = createDeployments(stack);
const deployed = Object.fromEntries(
  await Promise.all(
    Object.entries(BENCH_DEPLOYMENTS).map(async ([name, [capability, latencyMs]]) => {
      const deployment = await deployer.deploy(name, {
        capability,
        emulator: {
          latencyMs,
          ...(STREAMED[name as DeploymentName] && {
            reply: replyOf(STREAMED[name as DeploymentName]!.words),
            chunkDelayMs: STREAMED[name as DeploymentName]!.chunkDelayMs,
          }),
        },
        maxBatchSize: capability === 'EMBEDDING' ? 128 : undefined,
      });
      return [name, deployment] as const;
    }),
  ),
) as Record<DeploymentName, Awaited<ReturnType<typeof deployer.deploy>>>;
const team = await createCallingTeam(stack, { name: 'Bench', credits: '100000000000' });
expectNoErrors(
  await stack.request(SET_QUOTA, {
    token: TEST_ADMIN_KEY,
    variables: { t: team.teamId, q: QUOTA },
  }),
);

// bench:stream's held streams: their emulator runs in the parent process, so that this process's
// CPU and memory are the platform's alone.
const HELD_EMULATOR_URL = process.env.BENCH_HELD_EMULATOR_URL;
const held = HELD_EMULATOR_URL
  ? await deployer.register('stream-held', HELD_EMULATOR_URL, { capability: 'CHAT' })
  : undefined;

const ports = Object.fromEntries([
  [new URL(stack.url).port, 'gateway'],
  ...Object.entries(stack.subgraphUrls).map(([name, url]) => [new URL(url).port, name]),
  ...Object.values(deployed).map((d) => [new URL(d.emulator.origin).port, 'provider']),
]);
// Only when asked: the diagnostics subscribers and the limiter wrapper cost a little per request.
const trace =
  process.env.BENCH_TRACE === '1' ? startStepTrace(ports, stack.rateLimiter) : undefined;

process.on('message', async (command: PlatformCommand) => {
  if (command.cmd === 'drain') {
    const { emulator } = deployed[command.deployment];
    const requests = emulator.requests;
    const last = requests.at(-1);
    send({
      type: 'drained',
      requests: requests.length,
      inputs: requests.reduce(
        (n, r) => n + (Array.isArray(r.body?.input) ? r.body.input.length : 1),
        0,
      ),
      last: last && {
        body: last.body,
        headers: { authorization: String(last.headers.authorization) },
      },
    });
    emulator.reset();
  } else if (command.cmd === 'process') {
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    send({ type: 'process', cpuMicros: cpu.user + cpu.system, memory: process.memoryUsage() });
  } else if (command.cmd === 'trace') {
    const report = !trace
      ? 'tracing is off'
      : command.on
        ? await trace.start()
        : await trace.stop(command.label);
    send({ type: 'trace', report });
  } else {
    await deployer.closeAll();
    await stack.stop();
    send({ type: 'stopped' }, () => process.exit(0));
  }
});

send({
  type: 'ready',
  url: stack.url,
  key: team.key,
  teamId: team.teamId,
  deployments: Object.fromEntries(
    Object.entries(deployed).map(([name, d]) => [
      name,
      { modelId: d.modelId, baseUrl: d.emulator.baseUrl },
    ]),
  ) as Record<DeploymentName, { modelId: string; baseUrl: string }>,
  heldModelId: held?.modelId,
});
