import cluster, { type Worker } from 'node:cluster';
import { resolve } from 'node:path';

/*
 * `node --import tsx bench/cluster-main.ts <entry.ts>`: runs `<entry.ts>` (a service's main.ts, or
 * dev/start.ts) in BENCH_CLUSTER_WORKERS (2) node:cluster workers behind its PORT, for
 * bench:compare's cluster topologies. Workers start one after another, each once the one before
 * listens on PORT, so two processes never migrate one database at once. BENCH_CLUSTER_WORKER_ENV
 * (a JSON array) adds variables to each worker: dev/start.ts needs its subgraph ports apart, since
 * each worker's gateway holds its own internal key pair and must reach its own subgraphs.
 *
 * The parent hears `{ type: 'ready', pids }` over IPC once every worker listens. SIGTERM or SIGINT
 * is passed to the workers (each stops gracefully), and the primary exits when they have.
 */
const entry = process.argv[2];
if (!entry) throw new Error('usage: cluster-main.ts <entry.ts>');
const count = Number(process.env.BENCH_CLUSTER_WORKERS ?? 2);
const workerEnv = JSON.parse(process.env.BENCH_CLUSTER_WORKER_ENV ?? '[]') as Array<
  Record<string, string>
>;
const port = Number(process.env.PORT);

cluster.setupPrimary({ exec: resolve(entry) });

let stopping = false;
const workers: Worker[] = [];

/** Forks one worker and resolves once it listens on PORT; rejects if it exits first. */
function forkListening(index: number): Promise<Worker> {
  const worker = cluster.fork(workerEnv[index] ?? {});
  return new Promise((done, fail) => {
    const onListening = (address: { port: number }) => {
      if (address.port !== port) return;
      worker.off('listening', onListening);
      worker.off('exit', onExit);
      done(worker);
    };
    const onExit = (code: number | null) => fail(new Error(`worker ${index} exited (${code})`));
    worker.on('listening', onListening);
    worker.once('exit', onExit);
  });
}

const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const worker of workers) worker.process.kill('SIGTERM');
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// A worker that dies while the others serve is a broken cluster: stop the rest, exit non-zero.
cluster.on('exit', (worker, code) => {
  if (!stopping) {
    console.error(`cluster-main: worker ${worker.process.pid} exited (${code})`);
    stop();
    process.exitCode = 1;
  }
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
});

for (let index = 0; index < count && !stopping; index += 1) {
  workers.push(await forkListening(index));
}
process.send?.({ type: 'ready', pids: workers.map((w) => w.process.pid) });
