import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import type { PlatformCommand, PlatformReply } from './inference-platform.js';

/** What one timed row measured. */
export interface LoadResult {
  count: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Runs `concurrency` workers, each sending one request at a time through a keep-alive undici
 * pool of its own size, for `seconds`; `send` resolves whether the answer was a success.
 * Requests in flight at the deadline are waited for and counted.
 */
export async function runLoad(
  concurrency: number,
  seconds: number,
  send: (dispatcher: Agent) => Promise<boolean>,
): Promise<LoadResult> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const ok = await send(dispatcher).catch(() => false);
      latencies.push(performance.now() - started);
      if (!ok) errors += 1;
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - began) / 1000;
  await dispatcher.close();
  return {
    ...summarize(latencies),
    errors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
  };
}

export function summarize(latencies: number[]): { count: number; p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { count: sorted.length, p50: pct(0.5), p99: pct(0.99) };
}

export type Platform = Extract<PlatformReply, { type: 'ready' }> & {
  ask<T extends PlatformReply['type']>(
    command: PlatformCommand,
  ): Promise<Extract<PlatformReply, { type: T }>>;
  stop(): Promise<void>;
};

/**
 * Starts bench/inference-platform.ts as a child process (its own core, as bench:gateway does with
 * `npm start`) and talks to it over IPC, one command at a time. BENCH_PLATFORM_ARGS adds Node
 * options to the child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startPlatform(options: { trace: boolean }): Promise<Platform> {
  const extra = (process.env.BENCH_PLATFORM_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...extra, '--import', 'tsx', new URL('./inference-platform.ts', import.meta.url).pathname],
    {
      env: { ...process.env, BENCH_TRACE: options.trace ? '1' : '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const next = () =>
    new Promise<PlatformReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`platform exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply) => {
        child.off('exit', onExit);
        resolve(reply as PlatformReply);
      });
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`platform said ${ready.type} before ready`);
  const ask = async <T extends PlatformReply['type']>(command: PlatformCommand) => {
    const reply = next();
    child.send(command);
    return (await reply) as Extract<PlatformReply, { type: T }>;
  };
  return {
    ...ready,
    ask,
    async stop() {
      if (child.exitCode === null) await ask({ cmd: 'stop' }).catch(() => undefined);
      await exited;
    },
  };
}
