import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/*
 * The platform as `npm start` runs it (gateway and subgraphs in ONE child process), and a closed
 * loop of GraphQL requests against it from this process: what bench:gateway and bench:documents
 * measure with.
 */

/** A database of the run's own on the DATABASE_URL server, dropped afterwards. */
export async function benchDatabase(): Promise<{
  url: string | undefined;
  drop: () => Promise<void>;
}> {
  const server = process.env.DATABASE_URL;
  if (!server) return { url: undefined, drop: async () => undefined };
  const name = `mg_bench_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** `npm start` on `port`; resolves with the Demo team member key it prints. */
export async function startDevPlatform(options: {
  port: number;
  databaseUrl: string | undefined;
  /** More of the platform's environment (its own variables win over the caller's). */
  env?: Record<string, string>;
}): Promise<{ key: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    env: {
      ...process.env,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      PORT: String(options.port),
      SUBGRAPH_PORT_BASE: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const key = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = /Demo team member key \(shown once\):\s+(mg_\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`platform exited (${code}):\n${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    key,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface LoadFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  count: number;
}

/**
 * `concurrency` clients POST `body` to `url` back to back for `seconds`; a response with errors
 * (or not 2xx) counts as an error.
 */
export async function runLoad(options: {
  url: string;
  body: unknown;
  headers: Record<string, string>;
  concurrency: number;
  seconds: number;
}): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  const body = JSON.stringify(options.body);
  const headers = { 'content-type': 'application/json', ...options.headers };
  const deadline = performance.now() + options.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(options.url, { method: 'POST', headers, body });
      const json = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || json.errors) errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
    count: latencies.length,
  };
}
