import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/*
 * One service of a benchmarked platform as production runs it: its own Node process started from a
 * checkout's entry file with environment variables, or a node:cluster of such processes behind one
 * port (bench/cluster-main.ts). Ready once its /readyz answers 200 (and, for a cluster, once every
 * worker listens); its output is kept (the last few KB) to explain a failure to start.
 */

const CLUSTER_MAIN = fileURLToPath(new URL('./cluster-main.ts', import.meta.url));
const KEPT_OUTPUT = 8_000;

export interface ServiceOptions {
  /** For messages: `inference`, `one (base)`. */
  name: string;
  /** The checkout it runs from (its node_modules gives `tsx`). */
  cwd: string;
  /** The entry file, relative to `cwd`: `subgraphs/wallet/main.ts`, `dev/start.ts`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** The PORT it listens on, where /readyz is polled. */
  port: number;
  /** 1 runs the entry itself; more run it in that many cluster workers. */
  workers: number;
  /** Variables for each cluster worker of their own. */
  workerEnv?: Array<Record<string, string>>;
  /** `performance.now()` by which it must be ready. */
  deadline: number;
}

export interface ServiceProcess {
  name: string;
  /** Every process it runs: the entry's, or the cluster's primary and workers. */
  pids: number[];
  stop(): Promise<void>;
}

async function answersReady(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/readyz`).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status === 200;
    },
    () => false,
  );
}

function keepOutput(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

/** Stops `child` with SIGTERM (graceful), then SIGKILL for it and `pids` after `graceMs`. */
async function terminate(child: ChildProcess, pids: number[], graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const inTime = await Promise.race([exited.then(() => true), sleep(graceMs, false)]);
  if (inTime) return;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await exited;
}

/** Starts the service and resolves once it is ready; throws with its output if it is not. */
export async function startService(options: ServiceOptions): Promise<ServiceProcess> {
  const clustered = options.workers > 1;
  // BENCH_PLATFORM_ARGS: Node options for the platforms only (a CPU profile:
  // `--cpu-prof --cpu-prof-dir=/tmp/prof`), never for the bench itself.
  const nodeArgs = (process.env.BENCH_PLATFORM_ARGS ?? '').split(' ').filter(Boolean);
  const args = clustered
    ? [...nodeArgs, '--import', 'tsx', CLUSTER_MAIN, options.entry]
    : [...nodeArgs, '--import', 'tsx', options.entry];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: {
      ...options.env,
      PORT: String(options.port),
      ...(clustered && {
        BENCH_CLUSTER_WORKERS: String(options.workers),
        BENCH_CLUSTER_WORKER_ENV: JSON.stringify(options.workerEnv ?? []),
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe', ...(clustered ? (['ipc'] as const) : [])],
  });
  const output = keepOutput(child);
  const pids = [child.pid!];
  // A cluster is up once its primary says every worker listens (and names them).
  let clusterUp = !clustered;
  child.once('message', (message: { type: string; pids: number[] }) => {
    if (message.type !== 'ready') return;
    pids.push(...message.pids);
    clusterUp = true;
  });

  const fail = async (why: string): Promise<never> => {
    await terminate(child, pids, 5_000);
    throw new Error(`${options.name}: ${why}\n--- its output ---\n${output()}`);
  };
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return fail(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    if (performance.now() > options.deadline) return fail('not ready in time');
    if (clusterUp && (await answersReady(options.port))) break;
    await sleep(100);
  }
  return {
    name: options.name,
    pids,
    stop: () => terminate(child, pids, 15_000),
  };
}
