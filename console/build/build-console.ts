import { createHash } from 'node:crypto';
import {
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { apolloManifestOf } from './apollo-manifest.js';
import { CONSOLE_DIR as CONSOLE, CONSOLE_DIST, CONSOLE_MANIFEST } from './paths.js';

const ROOT = join(CONSOLE, '..');
/** The hash of the sources a build was made from. */
const STAMP = '.source-hash';

/** What a build is made from: a change to any of these makes the build stale. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(path);
      } else files.push(path);
    }
  };
  walk(join(CONSOLE, 'src'));
  walk(join(CONSOLE, 'build'));
  for (const file of ['index.html', 'vite.config.ts', 'codegen.ts', 'tsconfig.json']) {
    files.push(join(CONSOLE, file));
  }
  files.push(join(ROOT, 'schema', 'supergraph.graphql'));
  return files.sort();
}

/** A hash of every source's path and content. */
export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) hash.update(file).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

/** The hash the current build was made from, or null without a build. */
function builtHash(dist = CONSOLE_DIST): string | null {
  const stamp = join(dist, STAMP);
  return existsSync(stamp) && statSync(stamp).isFile() ? readFileSync(stamp, 'utf8') : null;
}

/**
 * Builds the console when its build is missing or was made from other sources (decision 91):
 * typed operations (codegen client preset), the Vite build, then Apollo's manifest of the
 * operations. Built beside and moved into place, so a gateway never serves half a build and two
 * starts at once do not break each other.
 */
export async function ensureConsoleBuilt(log: (message: string) => void = () => {}) {
  const hash = consoleSourceHash();
  /** The console's client version: its sources' hash, short. */
  const version = hash.slice(0, 12);
  if (builtHash() === hash) return { version, built: false };
  log('Building the console (console/dist)…');
  // The build tools are dev dependencies: loaded only when a build is needed.
  const { generate } = await import('@graphql-codegen/cli');
  const { default: codegen } = await import('../codegen.js');
  const { build } = await import('vite');
  await generate({ ...codegen, cwd: ROOT, silent: true }, true);
  const staging = `${CONSOLE_DIST}.${process.pid}`;
  await build({
    configFile: join(CONSOLE, 'vite.config.ts'),
    build: { outDir: staging },
    define: { 'import.meta.env.VITE_CONSOLE_VERSION': JSON.stringify(version) },
  });
  const persisted = JSON.parse(
    readFileSync(join(CONSOLE, 'src', 'generated', 'persisted-documents.json'), 'utf8'),
  ) as Record<string, string>;
  writeFileSync(
    join(staging, basename(CONSOLE_MANIFEST)),
    `${JSON.stringify(apolloManifestOf(persisted), null, 2)}\n`,
  );
  writeFileSync(join(staging, STAMP), hash);
  rmSync(CONSOLE_DIST, { recursive: true, force: true });
  try {
    renameSync(staging, CONSOLE_DIST);
  } catch (error) {
    // Another start built the same sources first: keep its build.
    rmSync(staging, { recursive: true, force: true });
    if (builtHash() !== hash) throw error;
  }
  return { version, built: true };
}
