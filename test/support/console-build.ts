import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the console unless its build is current (a process of its own: codegen and Vite do not
 * load inside jest's VM modules). One build serves every test file of a run.
 */
export async function buildConsole(): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/console-build.ts'], {
    cwd: ROOT,
  });
}
