import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * A fresh in-memory PGlite runs initdb, which takes 1.5-3 s on a quiet machine (12 s on a busy
 * one), longer than everything else `npm start` or an end-to-end stack does. Its result is always
 * the same for one PGlite version, so the first start keeps it (gzipped, ~4.5 MB) in the system's
 * temporary folder and later starts load it (~0.3-1 s). A missing or unreadable copy only costs
 * the initdb it would have saved.
 */
function templateFile(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@electric-sql/pglite'));
  let version = 'unknown';
  for (let depth = 0; depth < 4; depth++, dir = dirname(dir)) {
    try {
      version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
        .version;
      break;
    } catch {
      // not the package's root yet
    }
  }
  return join(tmpdir(), 'modelgraph-pglite', `initdb-${version}.tar.gz`);
}

/** The kept initdb result, read once per process. */
let kept: Promise<Blob | undefined> | undefined;

function readTemplate(file: string): Promise<Blob | undefined> {
  kept ??= Promise.resolve().then(() => {
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      return undefined;
    }
  });
  return kept;
}

async function writeTemplate(file: string, lite: PGlite): Promise<void> {
  try {
    const dump = Buffer.from(await (await lite.dumpDataDir('gzip')).arrayBuffer());
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: a concurrent reader sees the whole file or none.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, dump);
    renameSync(partial, file);
    kept = Promise.resolve(new Blob([dump]));
  } catch {
    // A cache: without it the next start runs initdb again.
  }
}

/** A new in-memory PGlite, from the kept initdb result when there is one. */
export async function createFreshPglite(options: PGliteOptions): Promise<PGlite> {
  const file = templateFile();
  const template = await readTemplate(file);
  if (template) {
    try {
      return await PGlite.create('memory://', { ...options, loadDataDir: template });
    } catch {
      kept = Promise.resolve(undefined);
    }
  }
  const lite = await PGlite.create('memory://', options);
  await writeTemplate(file, lite);
  return lite;
}
