import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { startStack } from '../test/support/stack.js';
import { STORE_MODES } from '../test/support/test-env.js';

/*
 * `npm run bench:start`: how long a newcomer waits, and how long a test waits for its platform.
 *
 * Part 1: `npm start` as a new user runs it (embedded stores: DATABASE_URL and REDIS_URL removed
 * from its environment), from the command to the first 200 from /readyz, polled every 50 ms.
 * Part 2: `startStack` (test/support/stack.ts), what every end-to-end suite's beforeAll runs, in
 * each store mode this run has (real PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set).
 * The first stack of a process also pays for loading PGlite's WASM; later ones do not.
 *
 * Knobs: BENCH_RUNS (3) per row. Figures are milliseconds, min / median / max.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function npmStartUntilReady(): Promise<number> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SUBGRAPH_PORT_BASE: '0' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const started = performance.now();
  const child = spawn('npm', ['start'], { env, stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      if (performance.now() - started > 120_000) throw new Error('npm start: not ready in 120 s');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    // npm runs tsx, which runs node: signal the whole group this script started.
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

async function stackStart(mode: (typeof STORE_MODES)[number]): Promise<number> {
  const started = performance.now();
  const stack = await startStack({ mode });
  const elapsed = performance.now() - started;
  await stack.stop();
  return elapsed;
}

async function measure(label: string, run: () => Promise<number>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await run());
  const sorted = [...times].sort((a, b) => a - b);
  const ms = (n: number) => String(Math.round(n)).padStart(6);
  console.log(
    `${label.padEnd(34)} ${ms(sorted[0]!)} ${ms(sorted[Math.floor(sorted.length / 2)]!)} ${ms(sorted.at(-1)!)}   runs: ${times.map(Math.round).join(', ')}`,
  );
}

console.log(
  `bench:start, ${RUNS} runs per row, ${availableParallelism()} cores, load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
console.log(`${''.padEnd(34)}    min median    max  (ms)`);
await measure('npm start → /readyz (embedded)', npmStartUntilReady);
for (const mode of STORE_MODES) {
  await measure(`startStack (${mode})`, () => stackStart(mode));
}
if (STORE_MODES.length === 1) {
  console.log('(real-store stacks not measured: DATABASE_URL and REDIS_URL are unset)');
}
console.log(
  '\ncommand: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:start',
);
