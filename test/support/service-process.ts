import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { scrapeMetric } from './scrape-metric.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One pino line the process wrote. */
export type ProcessLogLine = Record<string, unknown> & { msg?: string };

export interface ServiceProcess {
  /** `http://127.0.0.1:<port>`, where it listens. */
  base: string;
  port: number;
  /** Its `/graphql`. */
  url: string;
  /** Every log line so far, parsed. */
  lines: ProcessLogLine[];
  /** The sum of metric `name`'s series on its `/metrics` that carry `labels` (0 when none). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * A service in a process of its own (`node --import tsx <main>`, `main` relative to the
 * repository), as production runs it, with `env` as its whole configuration (this process's
 * DATABASE_URL and REDIS_URL are not passed on). Resolves once it listens.
 */
export async function startServiceProcess(
  main: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  delete inherited.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: ROOT,
    env: { ...inherited, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', ...env },
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const lines: ProcessLogLine[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: ProcessLogLine;
      try {
        line = JSON.parse(text) as ProcessLogLine;
      } catch {
        return;
      }
      lines.push(line);
      if (line.msg === 'listening') resolve(line.port as number);
    });
    void exited.then(() => reject(new Error(`${main} exited before listening:\n${stderr}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    url: `${base}/graphql`,
    lines,
    metric: (name, labels) => scrapeMetric(`${base}/metrics`, name, labels),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
