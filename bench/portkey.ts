import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { freePort } from './free-ports.js';

/*
 * The peer in bench:compare: Portkey's open-source gateway (no auth, no budget, no rate limit, no
 * store), installed once into a scratch folder under the temp directory, never a dependency of ours.
 */
export const PORTKEY = '@portkey-ai/gateway@1.15.2';

export interface Portkey {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Portkey's gateway in its scratch folder (installed on first use), started on a free port. */
export async function startPortkey(timeoutMs: number): Promise<Portkey> {
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
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const up = await request(`${url}/`, { method: 'GET' })
      .then((r) => r.body.dump().then(() => true))
      .catch(() => false);
    if (up) break;
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill();
      throw new Error(`Portkey did not start in ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill();
      await exited;
    },
  };
}
