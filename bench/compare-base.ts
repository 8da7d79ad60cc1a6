import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The commit bench:compare measures HEAD against, as a `git archive` copy in a scratch folder under
 * the temp directory, made once per commit and reused. It borrows this checkout's node_modules (a
 * symlink). Nothing of HEAD's is copied into it: the base runs its own one-process platform
 * (dev/start.ts, configured by environment variables like any service), and HEAD's benchmark
 * seeds it and loads it over HTTP from outside, as it does every other platform.
 */

/** What the base must have for that: its one-process platform, configurable by environment. */
const BASE_ENTRY = 'dev/start.ts';
const READY_MARK = '.bench-base-ready';

export interface BaseCheckout {
  commit: string;
  root: string;
  entry: string;
}

/** `ref` resolved and archived (once) into its folder; throws if it cannot be benchmarked. */
export function prepareBaseCheckout(ref: string, repoRoot: string): BaseCheckout {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const root = join(tmpdir(), `modelgraph-bench-base-${commit.slice(0, 12)}`);
  if (!existsSync(join(root, READY_MARK))) {
    console.error(`  archiving ${commit.slice(0, 7)} into ${root} (once)`);
    const partial = `${root}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const tar = `${partial}.tar`;
    git('archive', '--format=tar', '-o', tar, commit);
    execFileSync('tar', ['-xf', tar, '-C', partial]);
    rmSync(tar);
    symlinkSync(realpathSync(join(repoRoot, 'node_modules')), join(partial, 'node_modules'));
    writeFileSync(join(partial, READY_MARK), `${commit}\n`);
    // Another run may have finished the same copy meanwhile: theirs is as good as ours.
    if (existsSync(root)) rmSync(partial, { recursive: true, force: true });
    else renameSync(partial, root);
  }
  if (!existsSync(join(root, BASE_ENTRY))) {
    throw new Error(`${ref} (${commit.slice(0, 7)}) has no ${BASE_ENTRY} to run as its platform`);
  }
  return { commit, root, entry: BASE_ENTRY };
}
